"""Ofsted publications as Ofsted lays them out: ILACS reports (three frameworks), older
SIF reports, focused-visit, monitoring-visit and JTAI letters, area SEND reports."""

from datetime import date

from reportlab.lib import colors
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Spacer, Table, TableStyle

from councilwatch.samples.layout import H2, TITLE, bullets, date_range, filler, long_date, para, render

GRADE_TEXT = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement to be good",
    "inadequate": "Inadequate",
}
ROW_LABELS = {
    "impact_of_leaders": "The impact of leaders on social work practice with children and families",
    "help_and_protection": "The experiences and progress of children who need help and protection",
    "children_in_care": "The experiences and progress of children in care",
    "care_leavers": "The experiences and progress of care leavers",
    "children_in_care_and_care_leavers": "The experiences and progress of children in care and care leavers",
    "overall_effectiveness": "Overall effectiveness",
}
# The judgement rows of each ILACS framework: before 2023 one combined care row; from
# April 2026 no overall effectiveness and a renamed leaders row.
FRAMEWORK_ROWS = {
    "2018": ["impact_of_leaders", "help_and_protection", "children_in_care_and_care_leavers", "overall_effectiveness"],
    "2023": ["impact_of_leaders", "help_and_protection", "children_in_care", "care_leavers", "overall_effectiveness"],
    "2026": ["impact_of_leaders", "help_and_protection", "children_in_care", "care_leavers"],
}
LEADERS_2026 = "The impact of leaders on practice with children and families"
DEFAULT_IMPROVEMENTS = [
    "The timeliness of assessments for children in need, so that children receive the right help at the right time.",
    "The quality and frequency of supervision for social workers.",
]
OFSTED_ADDRESS = ["Ofsted", "Piccadilly Gate", "Store Street", "Manchester", "M1 2WD"]


def _label(key: str, framework: str) -> str:
    return LEADERS_2026 if framework == "2026" and key == "impact_of_leaders" else ROW_LABELS[key]


def ilacs_report(
    council: str = "Darlington",
    judgements: dict[str, str] | None = None,
    start: date = date(2026, 9, 7),
    end: date = date(2026, 9, 18),
    lead_inspector: str = "Alex Example",
    improvements: list[str] | None = None,
    body_pages: int = 3,
    marker: str = "",
    framework: str = "2023",
    borderless: bool = False,
) -> bytes:
    """An ILACS inspection report. `marker` makes otherwise equal reports differ."""
    if judgements is None:
        grades = ["good", "requires_improvement", "good", "outstanding", "good"]
        judgements = dict(zip(FRAMEWORK_ROWS[framework], grades, strict=False))
    improvements = improvements or DEFAULT_IMPROVEMENTS
    title = f"Inspection of {council} local authority children’s services"
    dates = date_range(start, end)
    story = [
        para(title, TITLE),
        para(f"Inspection dates: {dates}"),
        para(f"Lead inspector: {lead_inspector}, His Majesty’s Inspector"),
        Spacer(1, 0.4 * cm),
    ]
    rows = [["Judgement", "Grade"]] + [
        [para(_label(k, framework)), para(GRADE_TEXT[v])] for k, v in judgements.items()
    ]
    table = Table(rows, colWidths=[11 * cm, 5 * cm])
    if not borderless:
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
    story += [table, Spacer(1, 0.4 * cm)]
    story.append(para(f"Children in {council} receive services that are improving. {marker}".strip()))
    story += [PageBreak(), para("What needs to improve?", H2), bullets(improvements)]
    for n in range(1, body_pages + 1):
        story.append(para(f"The experiences and progress of children in care: part {n}", H2))
        story += [para(f"{p}. " + text.text) for p, text in enumerate(filler(8), start=1)]
        story.append(PageBreak())
    return render(story, title, header=[title, f"{dates}"])


def sif_report(
    council: str = "Tameside",
    overall: str = "inadequate",
    rows: dict[str, str] | None = None,
    start: date = date(2016, 9, 12),
    end: date = date(2016, 10, 6),
    published: date = date(2016, 12, 8),
    lead_inspector: str = "Pat Example",
    lscb: str = "requires_improvement",
) -> bytes:
    """A single inspection framework report (2013–2017)."""
    rows = rows or {
        "1. Children who need help and protection": "inadequate",
        "2. Children looked after and achieving permanence": "inadequate",
        "2.1 Adoption performance": "requires_improvement",
        "2.2 Experiences and progress of care leavers": "requires_improvement",
        "3. Leadership, management and governance": "inadequate",
    }
    words = {"requires_improvement": "requires improvement to be good"}
    title = "Inspection of services for children in need of help and protection, children looked after and care leavers"
    story = [
        para(f"{council} Metropolitan Borough Council", TITLE),
        para(title, H2), para("and"),
        para("Review of the effectiveness of the Local Safeguarding Children Board", H2),
        para(f"Inspection date: {long_date(start)} – {long_date(end)}"),
        para(f"Report published: {long_date(published)}"),
        para(f"Lead inspector: {lead_inspector}"),
        para(f"Children’s services in {council} are {words.get(overall, overall)}", H2),
    ]
    table = Table([[label, GRADE_TEXT[g]] for label, g in rows.items()], colWidths=[11 * cm, 5 * cm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    story += [table, Spacer(1, 0.3 * cm)]
    lscb_text = "requires improvement" if lscb == "requires_improvement" else f"is {lscb}"
    story.append(para(f"The Local Safeguarding Children Board (LSCB) {lscb_text}."))
    story += [PageBreak(), *filler(12)]
    return render(story, title, header=[f"{council} inspection report"])


def _letter(council: str, letter_date: date, heading: str, opening: str, sections: list) -> list:
    story = [para(long_date(letter_date)), para("Jo Director"), para("Director of Children’s Services"),
             para(f"{council} Council"), Spacer(1, 0.3 * cm), para("Dear Jo Director"), para(heading, H2),
             para(opening)]
    story += sections
    story += [para("Yours sincerely"), para("Alex Inspector"), para("His Majesty’s Inspector")]
    return story


def focused_visit_letter(
    council: str = "Darlington",
    letter_date: date = date(2025, 6, 20),
    start: date = date(2025, 5, 13),
    end: date = date(2025, 5, 14),
    inspectors: tuple[str, ...] = ("Nicki Example", "Ceri Example"),
    theme: str = "children in care",
    improvements: list[str] | None = None,
) -> bytes:
    improvements = improvements or ["The timeliness of reviews of children’s plans.",
                                    "The quality of life-story work for children in care."]
    heading = f"Focused visit to {council} children’s services"
    opening = (f"This letter summarises the findings of the focused visit to {council} children’s services "
               f"on {date_range(start, end)}. His Majesty’s Inspectors for this visit were "
               f"{' and '.join(inspectors)}.")
    sections = [para(f"Inspectors looked at the local authority’s arrangements for {theme}."),
                para("Overview", H2), *filler(3), PageBreak(),
                para("What needs to improve in this area of social work practice?", H2), bullets(improvements),
                para("Main findings", H2), *filler(10)]
    return render(_letter(council, letter_date, heading, opening, sections), heading, footer=True)


def monitoring_visit_letter(
    council: str = "Tameside",
    letter_date: date = date(2024, 4, 2),
    start: date = date(2024, 3, 6),
    end: date = date(2024, 3, 7),
    number: str = "third",
    inspectors: tuple[str, ...] = ("Andy Example", "Sam Example"),
    areas: list[str] | None = None,
) -> bytes:
    areas = areas or ["The quality and impact of plans for children in need of help and protection.",
                      "Management oversight and supervision of social work practice."]
    heading = f"Monitoring visit to {council} children’s services"
    opening = (f"This letter summarises the findings of the monitoring visit to {council} children’s services "
               f"on {date_range(start, end)}. This visit was the {number} monitoring visit since the local "
               "authority was judged inadequate in February 2024. His Majesty’s Inspectors for this visit "
               f"were {' and '.join(inspectors)}.")
    sections = [para("Areas covered by the visit", H2),
                para("Inspectors reviewed the progress made in the following areas of concern identified at the "
                     "last inspection:"),
                bullets(areas), para("Headline findings", H2), *filler(3), PageBreak(),
                para("Findings and progress", H2), *filler(10)]
    return render(_letter(council, letter_date, heading, opening, sections), heading, footer=True)


def jtai_letter(
    council: str = "Leeds",
    letter_date: date = date(2024, 1, 30),
    start: date = date(2023, 11, 6),
    end: date = date(2023, 11, 10),
    theme: str = "children who are victims of serious youth violence",
    improvements: list[str] | None = None,
    strengths: list[str] | None = None,
) -> bytes:
    improvements = improvements or [
        "The consistency of strategy discussions when children are at risk of harm outside the home.",
                                    "The timeliness of health assessments for children who are arrested."]
    strengths = strengths or ["Strong partnership leadership with a shared vision for children."]
    heading = f"Joint targeted area inspection of {council}"
    opening = (f"This letter summarises the findings of the joint targeted area inspection (JTAI) of the "
               f"multi-agency response to {theme} in {council}. This inspection took place from "
               f"{date_range(start, end)}. It was carried out by inspectors from Ofsted, the Care Quality "
               "Commission (CQC) and His Majesty’s Inspectorate of Constabulary and Fire & Rescue Services (HMICFRS).")
    sections = [para("Headline findings", H2), *filler(3), PageBreak(),
                para("What needs to improve?", H2), bullets(improvements),
                para("Strengths", H2), bullets(strengths), para("Main findings", H2), *filler(8)]
    return render(_letter(council, letter_date, heading, opening, sections), heading, footer=True)


SEND_OUTCOMES = {
    "positive": ("The local area partnership’s arrangements typically lead to positive experiences and outcomes "
                 "for children and young people with special educational needs and/or disabilities (SEND).",
                 "The next full area SEND inspection will be within approximately five years."),
    "inconsistent": ("The local area partnership’s arrangements lead to inconsistent experiences and outcomes "
                     "for children and young people with special educational needs and/or disabilities (SEND).",
                     "The next full area SEND inspection will be within approximately three years."),
    "significant_concerns": ("There are widespread and/or systemic failings leading to significant concerns about "
                             "the experiences and outcomes of children and young people with special educational "
                             "needs and/or disabilities (SEND).",
                             "A monitoring inspection will be within approximately 18 months."),
}


def area_send_report(
    council: str = "Darlington",
    outcome: str = "inconsistent",
    start: date = date(2024, 11, 25),
    end: date = date(2024, 11, 29),
    improvements: list[str] | None = None,
) -> bytes:
    improvements = improvements or [
        "Leaders should strengthen governance to monitor the effectiveness of their SEND strategy.",
        "Leaders in health should reduce waiting times for neurodevelopmental assessments.",
    ]
    sentence, next_inspection = SEND_OUTCOMES[outcome]
    title = f"Area SEND inspection of {council} Local Area Partnership"
    story = [para("Local area partnership report"), para(title, TITLE),
             para(f"Inspection dates: {date_range(start, end)}"),
             para("Dates of previous inspection: 24 to 28 January 2022"),
             para("Inspection outcome", H2), para(sentence),
             para("The local area partnership must work jointly to make improvements."), para(next_inspection),
             para("Information about the local area partnership", H2), *filler(2), PageBreak(),
             *filler(6), para("Areas for improvement", H2)]
    story += [para(text) for text in improvements]
    story += [PageBreak(), para("Local area partnership details", H2), para(f"{council} Council")]
    return render(story, title, header=[f"Area SEND inspection report: {council} Local Area Partnership",
                                        date_range(start, end)])

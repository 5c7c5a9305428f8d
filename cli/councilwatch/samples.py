"""Generated publications in the real layouts, for `make demo` and the tests' fixtures.

An ILACS report as Ofsted lays it out: a title page with dates, lead inspector and a
ruled Judgement | Grade table with wrapping labels; body pages with a running header;
a "What needs to improve?" list with ◼-style bullets.
"""

import io
from datetime import date

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import ListFlowable, ListItem, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

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


def _label(key: str, framework: str) -> str:
    return LEADERS_2026 if framework == "2026" and key == "impact_of_leaders" else ROW_LABELS[key]


def _date(d: date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


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
) -> bytes:
    """An ILACS inspection report as PDF bytes. `marker` makes otherwise equal reports differ."""
    if judgements is None:
        grades = ["good", "requires_improvement", "good", "outstanding", "good"]
        judgements = dict(zip(FRAMEWORK_ROWS[framework], grades, strict=False))
    improvements = improvements or [
        "The timeliness of assessments for children in need, so that children receive the right help at the right time.",
        "The quality and frequency of supervision for social workers.",
    ]
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=10.5, leading=14)
    title = f"Inspection of {council} local authority children’s services"
    running = f"Inspection of {council} local authority children’s services"
    dates = f"{_date(start)} to {_date(end)}" if start.month != end.month else f"{start.day} to {_date(end)}"

    story = [
        Paragraph(title, ParagraphStyle("t", parent=styles["Title"], alignment=0, fontSize=20, leading=24)),
        Paragraph(f"Inspection dates: {dates}", body),
        Paragraph(f"Lead inspector: {lead_inspector}, His Majesty’s Inspector", body),
        Spacer(1, 0.4 * cm),
    ]
    cell = ParagraphStyle("cell", parent=body, fontSize=10, leading=12)
    rows = [["Judgement", "Grade"]] + [
        [Paragraph(_label(k, framework), cell), Paragraph(GRADE_TEXT[v], cell)] for k, v in judgements.items()
    ]
    table = Table(rows, colWidths=[11 * cm, 5 * cm])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story += [table, Spacer(1, 0.4 * cm)]
    story.append(Paragraph(
        f"Children in {council} receive services that are improving. {marker}".strip(), body
    ))
    story.append(PageBreak())
    story.append(Paragraph("What needs to improve?", styles["Heading2"]))
    story.append(ListFlowable(
        [ListItem(Paragraph(text, body), value="square") for text in improvements],
        bulletType="bullet", start="square",
    ))
    for n in range(1, body_pages + 1):
        story.append(Paragraph(f"The experiences and progress of children in care: part {n}", styles["Heading2"]))
        for p in range(1, 9):
            story.append(Paragraph(
                f"{p}. Social workers know the children they work with well and visit them regularly. "
                "Managers oversee plans and review progress, and partners share information promptly "
                "so that decisions are timely and proportionate to the needs of each child.", body))
        story.append(PageBreak())

    def header(canvas, doc) -> None:  # noqa: ANN001
        if doc.page > 1:
            canvas.setFont("Helvetica", 8)
            canvas.drawString(2 * cm, A4[1] - 1.2 * cm, running)
            canvas.drawString(2 * cm, A4[1] - 1.6 * cm, f"{dates} {doc.page}")

    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, topMargin=2.2 * cm, bottomMargin=2 * cm,
                      title=title, invariant=1).build(story, onLaterPages=header)
    return out.getvalue()

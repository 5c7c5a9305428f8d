"""CQC publications: the local authority assessment page (HTML) and its PDF, a location
inspection report PDF, and a location record as the syndication API returns it."""

import html
from datetime import date
from typing import Any

from reportlab.platypus import PageBreak

from councilwatch.samples.layout import H2, TITLE, bullets, filler, long_date, para, render

QUALITY_STATEMENTS = [
    ("assessing_needs", "Assessing needs"),
    ("supporting_people_to_live_healthier_lives", "Supporting people to lead healthier lives"),
    ("equity_in_experience_and_outcomes", "Equity in experience and outcomes"),
    ("care_provision_integration_and_continuity", "Care provision, integration and continuity"),
    ("partnerships_and_communities", "Partnerships and communities"),
    ("safe_pathways_systems_and_transitions", "Safe pathways, systems and transitions"),
    ("safeguarding", "Safeguarding"),
    ("governance_management_and_sustainability", "Governance, management and sustainability"),
    ("learning_improvement_and_innovation", "Learning, improvement and innovation"),
]
SCORE_TEXT = {1: "significant shortfalls", 2: "some shortfalls", 3: "a good standard", 4: "an exceptional standard"}
RATING_TEXT = {"outstanding": "Outstanding", "good": "Good", "requires_improvement": "Requires improvement",
               "inadequate": "Inadequate"}


def rating_for(percent: int) -> str:
    """CQC's published thresholds for the overall rating."""
    if percent >= 88:
        return "outstanding"
    if percent >= 63:
        return "good"
    if percent >= 39:
        return "requires_improvement"
    return "inadequate"


def overall(scores: dict[str, int]) -> tuple[int, str]:
    percent = round(sum(scores.values()) / (4 * len(scores)) * 100)
    return percent, rating_for(percent)


def default_scores() -> dict[str, int]:
    return {key: 3 for key, _ in QUALITY_STATEMENTS} | {"partnerships_and_communities": 4}


def la_assessment_html(council: str = "Hertfordshire County Council", scores: dict[str, int] | None = None,
                       published: date = date(2024, 5, 17), improvements: list[str] | None = None,
                       strengths: list[str] | None = None,
                       pdf_href: str = "/sites/default/files/report.pdf") -> bytes:
    """The council's assessment page as saved from the CQC site."""
    scores = scores or default_scores()
    percent, rating = overall(scores)
    improvements = improvements or ["Waiting times for Care Act assessments were too long."]
    strengths = strengths or ["Strong partnership working with the voluntary sector."]
    e = html.escape
    rows = "".join(f"<li><span>{e(label)}</span> <span>Score: {scores[key]}</span></li>"
                   for key, label in QUALITY_STATEMENTS)
    page = f"""<!DOCTYPE html><html><head><title>{e(council)}: local authority assessment - CQC</title>
<script>var tracking = "Score: 1";</script></head><body>
<nav><a href="/">Home</a> <a href="/care-services">Care services</a></nav>
<main><h1>{e(council)}: local authority assessment</h1>
<p>Published: {long_date(published)} Page last updated: {long_date(published)}</p>
<div class="downloads"><h2>Downloads</h2><a href="{e(pdf_href)}">Report (PDF)</a></div>
<h2>Overall summary</h2><h3>Local authority rating and score</h3>
<div><span>{e(council)}</span> <strong>{RATING_TEXT[rating]}</strong></div>
<p>{e(council)} scored {percent} out of 100 overall, indicating {SCORE_TEXT[round(percent / 25)]}</p>
<h3>Quality statement scores</h3><ul>{rows}</ul>
<h2>Areas for improvement</h2><ul>{"".join(f"<li>{e(x)}</li>" for x in improvements)}</ul>
<h2>Areas of strength</h2><ul>{"".join(f"<li>{e(x)}</li>" for x in strengths)}</ul>
<h2>Summary of people's experiences</h2><p>People told us they felt listened to.</p></main>
<footer>Care Quality Commission</footer></body></html>"""
    return page.encode()


def la_assessment_pdf(council: str = "Hertfordshire County Council", scores: dict[str, int] | None = None,
                      published: date = date(2024, 5, 17), improvements: list[str] | None = None) -> bytes:
    """The downloadable PDF of the same assessment."""
    scores = scores or default_scores()
    percent, rating = overall(scores)
    improvements = improvements or ["Waiting times for Care Act assessments were too long.",
                                    "Carers’ assessments were not always offered."]
    title = f"{council}: local authority assessment"
    story = [para("Care Quality Commission"), para(title, TITLE), para(f"Published: {long_date(published)}"),
             para("Local authority rating and score", H2), para(f"{council} {RATING_TEXT[rating]}"),
             para(f"{council} scored {percent} out of 100 overall, indicating {SCORE_TEXT[round(percent / 25)]}"),
             para("Quality statement scores", H2)]
    story += [para(f"{label} Score: {scores[key]}") for key, label in QUALITY_STATEMENTS]
    story += [PageBreak(), para("Areas for improvement", H2), bullets(improvements), *filler(8, "adult social care")]
    return render(story, title, header=["Care Quality Commission", title], footer=True)


def location_report_pdf(name: str = "Lucerne House", ratings: dict[str, str] | None = None,
                        overall_rating: str = "good", visit: date = date(2024, 1, 10),
                        published: date = date(2024, 3, 2), local_authority: str | None = "Devon") -> bytes:
    ratings = ratings or {"safe": "good", "effective": "good", "caring": "outstanding",
                          "responsive": "good", "well-led": "requires_improvement"}
    story = [para(name, TITLE), para("Inspection report"),
             para(f"Date of inspection visit: {long_date(visit)}"),
             para(f"Date of publication: {long_date(published)}")]
    if local_authority:
        story.append(para(f"Local authority: {local_authority}"))
    story += [para("Ratings", H2), para(f"Overall rating for this service {RATING_TEXT[overall_rating]}")]
    story += [para(f"Is the service {q}? {RATING_TEXT[g]}") for q, g in ratings.items()]
    story += [PageBreak(), *filler(6, "people using the service")]
    return render(story, name, header=[name], footer=True)


def location_record(location_id: str = "1-125856395", local_authority: str = "Devon",
                    overall_rating: str = "Outstanding", report_date: str = "2019-10-31") -> dict[str, Any]:
    """`GET /locations/{id}` of the syndication API, in the documented schema."""
    kq = [{"name": n, "rating": r, "reportDate": report_date, "reportLinkId": "a361ecb8"}
          for n, r in [("Safe", "Good"), ("Effective", "Good"), ("Caring", "Outstanding"),
                       ("Responsive", "Outstanding"), ("Well-led", "Outstanding")]]
    return {
        "locationId": location_id, "providerId": "1-102642955", "organisationType": "Location",
        "type": "Social Care Org", "name": "Lucerne House", "registrationStatus": "Registered",
        "postalCode": "EX2 8TU", "region": "South West", "localAuthority": local_authority,
        "lastInspection": {"date": "2019-09-18"}, "lastReport": {"publicationDate": report_date},
        "currentRatings": {"overall": {"rating": overall_rating, "reportDate": report_date,
                                       "reportLinkId": "a361ecb8", "keyQuestionRatings": kq},
                           "reportDate": report_date},
        "reports": [{"linkId": "a361ecb8", "reportDate": report_date, "reportUri": "/reports/a361ecb8",
                     "firstVisitDate": "2019-09-17", "reportType": "Location"}],
    }

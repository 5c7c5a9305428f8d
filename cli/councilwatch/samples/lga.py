"""LGA publications: a corporate peer challenge feedback report and a case study page."""

import html
from datetime import date

from reportlab.platypus import PageBreak

from councilwatch.samples.layout import H2, TITLE, date_range, filler, para, render

CORE_ELEMENTS = [
    "Local priorities and outcomes",
    "Organisational and place leadership",
    "Governance and culture",
    "Financial planning and management",
    "Capacity for improvement",
]


def peer_challenge_report(council: str = "Darlington Borough Council", start: date = date(2023, 10, 10),
                          end: date = date(2023, 10, 13), recommendations: list[str] | None = None) -> bytes:
    recommendations = recommendations or [
        "Develop a medium-term financial strategy that closes the budget gap in 2026/27.",
        "Strengthen the council’s approach to performance management so that members see outcomes.",
        "Review the capacity of the corporate centre to deliver the transformation programme.",
    ]
    title = "LGA Corporate Peer Challenge"
    story = [para(title, TITLE), para(council), para(date_range(start, end)), para("Feedback report"),
             PageBreak(), para("1. Executive summary", H2), *filler(3, "residents"),
             para("2. Key recommendations", H2),
             para("There are a number of observations and suggestions within the main section of the report. "
                  "The following are the peer team’s key recommendations to the council:")]
    story += [para(f"{n}. {text}") for n, text in enumerate(recommendations, start=1)]
    story += [para("3. Summary of the peer challenge approach", H2), *filler(2, "the peer team"), PageBreak(),
              para("4. Feedback", H2)]
    for n, element in enumerate(CORE_ELEMENTS, start=1):
        story += [para(f"4.{n} {element}", H2), *filler(3, element.lower())]
    story += [para("5. Next steps", H2), *filler(1)]
    return render(story, title, header=[f"{title}: {council}"], footer=True)


def case_study_html(council: str = "Darlington Council", headline: str = "Learning Disability Services",
                    topic: str = "Adult social care", published: str = "12 March 2024") -> bytes:
    e = html.escape
    title = f"{e(council)} {e(headline)} | Local Government Association"
    return f"""<!DOCTYPE html><html><head><title>{title}</title></head>
<body><nav>Skip to main content</nav><main><p>Local Government Association</p><h1>{e(council)} {e(headline)}</h1>
<p>Case study</p><p>{published}</p>
<p>{e(council)} demonstrates good practice and achieves excellent outcomes for people.</p>
<p><a href="/topics/adult-social-care">View all{e(topic)} articles</a></p>
<h2>The challenge</h2><p>Demand was rising.</p><h2>The solution</h2><ul><li>Co-production.</li></ul>
</main></body></html>""".encode()

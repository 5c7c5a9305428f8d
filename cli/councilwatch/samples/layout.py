"""reportlab building blocks shared by the generated publications."""

import io
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate

_STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=10.5, leading=14)
TITLE = ParagraphStyle("title", parent=_STYLES["Title"], alignment=0, fontSize=20, leading=24)
H2 = _STYLES["Heading2"]
H3 = _STYLES["Heading3"]


def long_date(d: date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def date_range(start: date, end: date) -> str:
    if start.year != end.year:
        return f"{long_date(start)} to {long_date(end)}"
    if start.month != end.month:
        return f"{start.day} {start.strftime('%B')} to {long_date(end)}"
    return f"{start.day} to {long_date(end)}"


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(text, style)


def bullets(items: list[str]) -> ListFlowable:
    return ListFlowable([ListItem(para(t), value="square") for t in items], bulletType="bullet", start="square")


def filler(count: int, topic: str = "children") -> list[Paragraph]:
    return [para(f"Leaders know their services well and act on what they learn about {topic}. "
                 "Managers oversee practice and review progress regularly, and partners share "
                 f"information promptly so that decisions are timely. ({n})") for n in range(1, count + 1)]


def render(story: list, title: str, header: list[str] | None = None, footer: bool = False) -> bytes:
    """The PDF bytes; from page 2 on, `header` lines run at the top and "Page N" at the foot."""

    def later(canvas, doc) -> None:  # noqa: ANN001
        canvas.setFont("Helvetica", 8)
        for i, line in enumerate(header or []):
            canvas.drawString(2 * cm, A4[1] - (1.2 + 0.4 * i) * cm, line)
        if footer:
            canvas.drawString(2 * cm, 1.2 * cm, f"Page {doc.page}")

    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, topMargin=2.4 * cm, bottomMargin=2 * cm, title=title,
                      invariant=1).build(story, onLaterPages=later)
    return out.getvalue()

"""Ofsted focused-visit letters (ILACS): no grades; theme, dates, inspectors, improvements."""

import re
from datetime import date
from typing import Any

from extract.dates import parse_date, parse_date_range
from extract.parsers.sections import bullets_after, council_from
from extract.pdf import PdfText

_HEADING = re.compile(r"^Focused visit to (.+?) children", re.I)
_VISIT_DATES = re.compile(r"focused visit to .+? on (.+?)\. His Majesty", re.I)
_INSPECTORS = re.compile(r"Inspectors? for this visit (?:were|was) (.+?)\.", re.I)
_THEME = re.compile(r"Inspectors looked at the local authority.s arrangements for (.+?)\.", re.I)
_IMPROVE = re.compile(r"^What needs to improve", re.I)
# A focused visit lasts days; a longer span means a typo in the letter (a real Darlington
# letter reads "24 October 2022 to 25 October 2023").
MAX_VISIT_DAYS = 31


def matches(text: PdfText) -> bool:
    return any(_HEADING.match(line) for line in text.pages[0][:20]) if text.pages else False


def parse(text: PdfText, data: bytes) -> dict[str, Any]:
    page1 = " ".join(text.pages[0])
    heading = next(line for line in text.pages[0] if _HEADING.match(line))
    found: dict[str, Any] = {
        "source": "ofsted",
        "document_type": "ilacs_focused_visit",
        "title": heading,
        "council": council_from(_HEADING.match(heading).group(1)),
        "letter_date": parse_date(" ".join(text.pages[0][:3])),
    }
    m = _VISIT_DATES.search(page1)
    if m:
        start, end = parse_date_range(m.group(1))
        found["inspection_start"], found["inspection_end"] = plausible_visit(start, end)
    m = _INSPECTORS.search(page1)
    if m:
        names = [n.strip() for n in re.split(r",\s*|\s+and\s+", m.group(1)) if n.strip()]
        found["inspectors"] = names
        found["lead_inspector"] = names[0] if names else None
    m = _THEME.search(page1)
    if m:
        found["theme"] = " ".join(m.group(1).split())
    found["improvements"] = bullets_after(text, _IMPROVE)
    return found


def plausible_visit(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    if start and end and (end - start).days > MAX_VISIT_DAYS:
        same_year = start.replace(year=end.year)
        if same_year <= end and (end - same_year).days <= MAX_VISIT_DAYS:
            return same_year, end
    return start, end

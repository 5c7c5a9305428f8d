"""Ofsted letters to the director of children's services: focused visits, monitoring
visits (of councils judged inadequate) and joint targeted area inspections (JTAI).
No grades: type, council, letter date, visit dates, inspectors, theme, improvements."""

import re
from datetime import date
from typing import Any

from extract.dates import parse_date, parse_date_range
from extract.parsers.sections import bullets_after, council_from
from extract.text import DocumentText

KINDS = (
    ("ilacs_focused_visit", re.compile(r"^Focused visit to (.+?) (?:local authority )?children.s services", re.I)),
    ("ilacs_monitoring_visit",
     re.compile(r"^Monitoring visit (?:to|of) (.+?) (?:local authority )?children.s services", re.I)),
    ("jtai",
     re.compile(r"^Joint targeted area inspection (?:\(JTAI\) )?of (?:the multi-agency response to .+? in )?(.+)$",
                re.I)),
)
_VISIT_DATES = re.compile(r"(?:visit|inspection) to .+? (?:on|from) (.+?)\.", re.I)
_TOOK_PLACE = re.compile(r"(?:took place|was carried out) (?:from|on|between) (.+?)\.", re.I)
_INSPECTORS = re.compile(r"Inspectors? for this (?:visit|inspection) (?:were|was) (.+?)\.", re.I)
_LED_BY = re.compile(r"(?:lead|led by) (?:inspector )?(?:was )?((?:[A-Z][a-z’'-]+ ){1,3}[A-Z][a-z’'-]+)", re.M)
_THEME_FV = re.compile(r"Inspectors looked at the local authority.s arrangements for (.+?)\.", re.I)
_THEME_JTAI = re.compile(r"joint targeted area inspection \(JTAI\) of the multi-agency response to (.+?) in ", re.I)
_MV_NUMBER = re.compile(r"This (?:visit )?was the (\w+) monitoring visit", re.I)
_IMPROVE = re.compile(r"^What needs to improve", re.I)
_AREAS = re.compile(r"^Areas covered by the visit", re.I)
_STRENGTHS = re.compile(r"^Strengths$", re.I)
# A visit lasts days; a longer span means a typo in the letter (a real Darlington letter
# reads "24 October 2022 to 25 October 2023").
MAX_VISIT_DAYS = 31


def _kind(text: DocumentText) -> tuple[str, re.Match] | None:
    for line in text.pages[0][:25] if text.pages else []:
        for kind, pattern in KINDS:
            m = pattern.match(line)
            if m:
                return kind, m
    return None


def matches(text: DocumentText) -> bool:
    return _kind(text) is not None


def parse(text: DocumentText, data: bytes) -> dict[str, Any]:
    kind, heading = _kind(text)
    front = " ".join(line for _, line in text.lines(1, 2))
    found: dict[str, Any] = {
        "source": "ofsted",
        "document_type": kind,
        "title": heading.group(0),
        "council": council_from(heading.group(1)),
        "letter_date": parse_date(text.head(3)),
    }
    m = _VISIT_DATES.search(front) or _TOOK_PLACE.search(front)
    if m:
        start, end = parse_date_range(m.group(1))
        found["inspection_start"], found["inspection_end"] = plausible_visit(start, end)
    m = _INSPECTORS.search(front)
    if m:
        names = [n.strip() for n in re.split(r",\s*|\s+and\s+", m.group(1)) if n.strip()]
        found["inspectors"] = names
        found["lead_inspector"] = names[0] if names else None
    elif (m := _LED_BY.search(front)) is not None:
        found["lead_inspector"] = m.group(1)
    theme = _THEME_FV.search(front) or _THEME_JTAI.search(front)
    if theme:
        found["theme"] = " ".join(theme.group(1).split())
    if kind == "ilacs_monitoring_visit":
        m = _MV_NUMBER.search(front)
        if m:
            found["monitoring_visit_number"] = m.group(1).lower()
        found["areas_covered"] = [i.model_dump() for i in bullets_after(text, _AREAS)]
    found["improvements"] = bullets_after(text, _IMPROVE)
    strengths = bullets_after(text, _STRENGTHS)
    if strengths:
        found["strengths"] = [s.model_dump() for s in strengths]
    return found


def plausible_visit(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    if start and end and (end - start).days > MAX_VISIT_DAYS:
        same_year = start.replace(year=end.year)
        if same_year <= end and (end - same_year).days <= MAX_VISIT_DAYS:
            return same_year, end
    return start, end

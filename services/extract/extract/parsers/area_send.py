"""Area SEND inspections (joint Ofsted/CQC) of a local area partnership: one of three
outcome sentences, when the next inspection is due, and the areas for improvement."""

import re
from typing import Any

from extract.dates import parse_date_range
from extract.parsers.sections import council_from, first_line_matching, paragraphs_after
from extract.text import DocumentText

_TITLE = re.compile(r"Area SEND inspection of (.+?) Local Area Partnership", re.I)
_DATES = re.compile(r"^Inspection dates?:\s*(.+)$", re.I)
_PREVIOUS = re.compile(r"^Dates? of previous inspection:\s*(.+)$", re.I)
_OUTCOMES = (
    ("positive", re.compile(r"lead to positive experiences and outcomes", re.I)),
    ("inconsistent", re.compile(r"lead to inconsistent experiences and outcomes", re.I)),
    ("significant_concerns", re.compile(r"significant concerns", re.I)),
)
_NEXT = re.compile(r"((?:The next|A monitoring) [^.]*?inspection will be within approximately [^.]+)\.", re.I)
_IMPROVE = re.compile(r"^Areas? for improvement$", re.I)


def matches(text: DocumentText) -> bool:
    return bool(_TITLE.search(text.head(6)))


def parse(text: DocumentText, data: bytes) -> dict[str, Any]:
    m = _TITLE.search(text.head(6))
    found: dict[str, Any] = {
        "source": "ofsted",
        "document_type": "area_send_inspection",
        "title": " ".join(m.group(0).split()),
        "council": council_from(m.group(1)),
    }
    m = first_line_matching(text, _DATES)
    if m:
        found["inspection_start"], found["inspection_end"] = parse_date_range(m.group(1))
    m = first_line_matching(text, _PREVIOUS)
    if m:
        found["previous_inspection_end"] = parse_date_range(m.group(1))[1]
    page1 = " ".join(text.pages[0])
    # The outcome sentence follows the "Inspection outcome" heading on page 1.
    outcome_text = page1.split("Inspection outcome", 1)[-1][:600]
    for outcome, pattern in _OUTCOMES:
        if pattern.search(outcome_text):
            found["send_outcome"] = outcome
            break
    m = _NEXT.search(page1)
    if m:
        found["next_inspection"] = " ".join(m.group(1).split())
        when = m.group(1)
        found["next_inspection_months"] = 18 if "18 months" in when else 36 if "three years" in when else None
    found["improvements"] = paragraphs_after(text, _IMPROVE)
    return found

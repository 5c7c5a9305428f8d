"""Ofsted single inspection framework (SIF) reports, 2013 to 2017, before ILACS.

They grade other things than ILACS does, so their keys are their own; `framework: "sif"`
says so rather than mapping them onto ILACS judgements. The overall judgement is read from
"Children's services in X are <grade>", the LSCB review from its own sentence.
"""

import re
from typing import Any

from extract.dates import parse_date, parse_date_range
from extract.grades import GRADE_AT_END, normalise_grade
from extract.parsers.sections import council_from, first_line_matching
from extract.text import DocumentText

_TITLE = re.compile(r"Inspection of services for children in need of help and protection", re.I)
_DATES = re.compile(r"^Inspection dates?:\s*(.+)$", re.I)
_PUBLISHED = re.compile(r"^Report published:\s*(.+)$", re.I)
_LEAD = re.compile(r"^Lead inspector:\s*([^,]+)", re.I)
_OVERALL = re.compile(
    r"Children.s services in (.+?) (?:are|is) (outstanding|good|inadequate|requires improvement(?: to be good)?)", re.I)
_LSCB = re.compile(
    r"Local Safeguarding Children Board \(LSCB\) (?:is|requires) ?"
    r"(outstanding|good|inadequate|improvement(?: to be good)?)", re.I)
ROWS = (
    ("help_and_protection", re.compile(r"children who need help and protection", re.I)),
    ("adoption_performance", re.compile(r"adoption performance", re.I)),
    ("care_leavers", re.compile(r"experiences and progress of care leavers", re.I)),
    ("children_looked_after_and_achieving_permanence",
     re.compile(r"children looked after and achieving permanence", re.I)),
    ("leadership_management_and_governance", re.compile(r"leadership, management and governance", re.I)),
)


def matches(text: DocumentText) -> bool:
    return bool(_TITLE.search(text.head(12)))


def parse(text: DocumentText, data: bytes) -> dict[str, Any]:
    found: dict[str, Any] = {"source": "ofsted", "document_type": "ilacs_inspection", "framework": "sif",
                             "title": " ".join(text.pages[0][:4])}
    front = [line for _, line in text.lines(1, 2)]
    joined = " ".join(front)
    m = _OVERALL.search(joined)
    judgements: dict[str, str] = {}
    pages: dict[str, int] = {}
    if m:
        found["council"] = council_from(m.group(1))
        judgements["overall_effectiveness"] = normalise_grade(m.group(2))
    else:
        found["council"] = council_from(text.pages[0][0])
    for page, line in text.lines(1, 2):
        grade = GRADE_AT_END.search(line)
        if not grade:
            continue
        for key, label in ROWS:
            if key not in judgements and label.search(line):
                judgements[key] = normalise_grade(grade.group(1))
                pages[key] = page
                break
    m = _LSCB.search(joined)
    if m:
        word = m.group(1).lower()
        grade = "requires " + word if word.startswith("improvement") else word
        judgements["lscb_effectiveness"] = normalise_grade(grade)
    found["judgements"] = {k: v for k, v in judgements.items() if v}
    found["judgement_pages"] = {k: pages.get(k, 1) for k in found["judgements"]}
    if (m := first_line_matching(text, _DATES)) is not None:
        found["inspection_start"], found["inspection_end"] = parse_date_range(m.group(1))
    if (m := first_line_matching(text, _PUBLISHED)) is not None:
        found["published"] = parse_date(m.group(1))
    if (m := first_line_matching(text, _LEAD)) is not None:
        found["lead_inspector"] = m.group(1).strip()
    return found

"""Ofsted ILACS inspection reports, in all three layouts of the judgement table.

- before January 2023: a combined "children in care and care leavers" row + overall;
- January 2023 to March 2026: five rows including overall effectiveness;
- from April 2026: four rows, no overall effectiveness, leaders row renamed.

The judgement table is read from pypdfium2's text, which follows the content stream: a
row's label (wrapped over lines), then its grade. pdfplumber's table finder is the
fallback when that reading does not validate (it costs ~60 ms a page, the text ~1 ms).
"""

import re
from typing import Any

from extract.dates import parse_date_range
from extract.grades import GRADE_AT_END, ilacs_judgement_key, normalise_grade
from extract.parsers.sections import bullets_after, council_from, first_line_matching
from extract.pdf import read_tables
from extract.text import DocumentText

# "local authority" and "social care" are missing from some titles.
_TITLE = re.compile(r"Inspection of (.+?) (?:local authority )?children.s (?:social care )?services", re.I)
_DATES = re.compile(r"^Inspection dates?:\s*(.+)$", re.I)
_LEAD = re.compile(r"^Lead inspectors?:\s*(.+?)(?:,| and | HMI\b|$)", re.I)
_TABLE_HEADER = re.compile(r"^Judgement\s+Grade$", re.I)
_IMPROVE = re.compile(r"^What needs to improve\??\d*$", re.I)  # "?1": a footnote mark
# Every judgement row in all three layouts opens with one of these.
_ROW_LABEL = re.compile(r"^(the impact of leaders|the experiences and progress of|overall effectiveness)", re.I)
MAX_LABEL_LINES = 3
# A standard inspection is two weeks on site; a short one, one week.
SHORT_INSPECTION_MAX_DAYS = 7


def matches(text: DocumentText) -> bool:
    return bool(_TITLE.search(text.head(8))) and any(
        _TABLE_HEADER.match(line) for _, line in text.lines(1, 2)
    )


def parse(text: DocumentText, data: bytes) -> dict[str, Any]:
    title_lines = []
    for line in text.pages[0]:
        if _DATES.match(line):
            break
        title_lines.append(line)
    m = _TITLE.search(" ".join(title_lines))
    # The match, not the lines: a publisher line ("Ofsted") may stand above the title.
    title = m.group(0) if m else " ".join(title_lines)
    found: dict[str, Any] = {"source": "ofsted", "document_type": "ilacs_inspection", "title": title}
    if m:
        found["council"] = council_from(m.group(1))
    m = first_line_matching(text, _DATES)
    if m:
        found["inspection_start"], found["inspection_end"] = parse_date_range(m.group(1))
    m = first_line_matching(text, _LEAD)
    if m:
        found["lead_inspector"] = m.group(1).strip()
    start, end = found.get("inspection_start"), found.get("inspection_end")
    if start and end:
        days = (end - start).days
        found["inspection_type"] = "short" if days <= SHORT_INSPECTION_MAX_DAYS else "standard"

    table_page = next((p for p, line in text.lines(1, 2) if _TABLE_HEADER.match(line)), 1)
    judgements = judgements_from_text(text.pages[table_page - 1])
    if not valid(judgements) and text.media_type == "application/pdf":
        judgements = judgements_from_tables(data, table_page) or judgements
    found["judgements"] = judgements
    found["framework"] = framework(judgements, text.pages[0])
    found["judgement_pages"] = {key: table_page for key in judgements}
    found["improvements"] = bullets_after(text, _IMPROVE)
    return found


def judgements_from_text(lines: list[str]) -> dict[str, str]:
    """Rows of the judgement table from page-1 lines: label lines, then a grade."""
    try:
        start = next(i for i, line in enumerate(lines) if _TABLE_HEADER.match(line))
    except StopIteration:
        return {}
    judgements: dict[str, str] = {}
    label: list[str] = []
    for line in join_wrapped_grades(lines[start + 1 :]):
        grade_match = GRADE_AT_END.search(line)
        if grade_match:
            label.append(line[: grade_match.start()].strip())
            text = " ".join(label)
            key = ilacs_judgement_key(text) if _ROW_LABEL.match(text) else None
            if key is None or key in judgements:
                break  # not a row label: the table has ended
            judgements[key] = normalise_grade(grade_match.group(1))
            label = []
            if key == "overall_effectiveness":
                break
            continue
        label.append(line)
        if len(label) > MAX_LABEL_LINES:
            break  # narrative text: the table has ended
    return judgements


_WRAPPABLE_GRADE = "requires improvement to be good"


def join_wrapped_grades(lines: list[str]) -> list[str]:
    """Rejoin "Requires improvement to be" + "good" (or "... to" + "be good") when a narrow
    grade cell wraps the grade; read apart, "good" alone would pass for the grade."""
    joined: list[str] = []
    for line in lines:
        if joined:
            previous = joined[-1].lower()
            at = previous.rfind("requires improvement")
            if at >= 0:
                tail = f"{previous[at:]} {line.lower()}"
                if len(tail) <= len(_WRAPPABLE_GRADE) and _WRAPPABLE_GRADE.startswith(tail) and tail != previous[at:]:
                    joined[-1] = f"{joined[-1]} {line}"
                    continue
        joined.append(line)
    return joined


def judgements_from_tables(data: bytes, page: int = 1) -> dict[str, str]:
    """Rows of the judgement table as pdfplumber's table finder reads the page."""
    judgements: dict[str, str] = {}
    try:
        tables = read_tables(data, [page]).get(page, [])
    except Exception:  # noqa: BLE001 - pdfminer fails on files PDFium reads; keep the text reading
        return judgements
    for table in tables:
        for row in table:
            cells = [c for c in row if c]
            if len(cells) < 2:
                continue
            key, grade = ilacs_judgement_key(cells[0]), normalise_grade(cells[-1])
            if key and grade:
                judgements[key] = grade
    return judgements


def framework(judgements: dict[str, str], page1: list[str]) -> str:
    """Which ILACS framework graded the report: the rows tell."""
    if "children_in_care_and_care_leavers" in judgements:
        return "ilacs_2018"
    if "overall_effectiveness" not in judgements and not any("on social work practice" in x for x in page1[:20]):
        return "ilacs_2026"
    return "ilacs_2023"


def valid(judgements: dict[str, str]) -> bool:
    """A judgement table has the leaders and help-and-protection rows and a care row."""
    care = {"children_in_care", "children_in_care_and_care_leavers"}
    return (
        {"impact_of_leaders", "help_and_protection"} <= judgements.keys()
        and bool(care & judgements.keys())
    )

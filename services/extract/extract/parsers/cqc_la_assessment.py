"""CQC local authority (Care Act) assessments: the council page or its PDF.

Overall rating, "scored N out of 100", the nine quality statement scores (1 to 4), and
the areas for improvement and of strength. A page for one quality statement (the rendered
seed documents) gives that statement's score alone.
"""

import re
from typing import Any

from extract.dates import parse_date
from extract.grades import normalise_grade
from extract.parsers.sections import bullets_after, council_from, paragraphs_after
from extract.text import DocumentText

_TITLE = re.compile(r"^(.+?):\s*local authority assessment$", re.I)
_PUBLISHED = re.compile(r"Published:?\s*(\d{1,2} \w+ \d{4})", re.I)
_PERCENT = re.compile(r"scored (\d{1,3}) out of 100", re.I)
_RATING = re.compile(r"(outstanding|good|requires improvement|inadequate)\s*$", re.I)
_SCORE = re.compile(r"^(?:(.*?)\s+)?Score:\s*([1-4])\b", re.I)
_RATING_HEADING = re.compile(r"^Local authority rating and score$", re.I)
_IMPROVE = re.compile(r"^Areas? for (?:improvement|development)$", re.I)
_STRENGTHS = re.compile(r"^Areas? of strength$", re.I)
_KEY_FINDINGS = re.compile(r"^Key findings for this (?:quality statement|theme)$", re.I)
QUALITY_STATEMENTS = (
    ("assessing_needs", ("assessing needs",)),
    ("supporting_people_to_live_healthier_lives", ("healthier lives",)),
    ("equity_in_experience_and_outcomes", ("equity in experience",)),
    ("care_provision_integration_and_continuity", ("care provision",)),
    ("partnerships_and_communities", ("partnerships and communities",)),
    ("safe_pathways_systems_and_transitions", ("safe pathways",)),
    ("safeguarding", ("safeguarding",)),
    ("governance_management_and_sustainability", ("governance, management", "governance management")),
    ("learning_improvement_and_innovation", ("learning, improvement", "learning improvement")),
)


def quality_statement_key(label: str) -> str | None:
    text = " ".join(label.lower().split())
    for key, needles in QUALITY_STATEMENTS:
        if any(n in text for n in needles):
            return key
    return None


def _title(text: DocumentText) -> re.Match | None:
    """The title line, or two lines when a large title font wrapped it."""
    head = text.pages[0][:10] if text.pages else []
    for index, line in enumerate(head):
        for candidate in (line, " ".join(head[index : index + 2])):
            m = _TITLE.match(candidate)
            if m:
                return m
    return None


def matches(text: DocumentText) -> bool:
    return _title(text) is not None


def parse(text: DocumentText, data: bytes) -> dict[str, Any]:
    title = _title(text)
    found: dict[str, Any] = {
        "source": "cqc",
        "document_type": "cqc_la_assessment",
        "title": title.group(0),
        "council": council_from(title.group(1)),
    }
    lines = text.lines()
    joined = " ".join(line for _, line in lines[:80])
    if (m := _PUBLISHED.search(joined)) is not None:
        found["published"] = parse_date(m.group(1))
    if (m := _PERCENT.search(joined)) is not None:
        found["percent"] = int(m.group(1))
    found["rating"] = overall_rating(lines)
    found["scores"], found["score_pages"] = scores(lines)
    found["improvements"] = bullets_after(text, _IMPROVE)
    strengths = bullets_after(text, _STRENGTHS)
    if strengths:
        found["strengths"] = [s.model_dump() for s in strengths]
    key_findings = paragraphs_after(text, _KEY_FINDINGS)
    if key_findings:
        found["key_findings"] = [k.model_dump() for k in key_findings]
    return found


def overall_rating(lines: list[tuple[int, str]]) -> str | None:
    """The rating under "Local authority rating and score", on its own or after the name."""
    for index, (_, line) in enumerate(lines):
        if _RATING_HEADING.match(line):
            for _, nxt in lines[index + 1 : index + 4]:
                m = _RATING.search(nxt)
                if m:
                    return normalise_grade(m.group(1))
    return None


def scores(lines: list[tuple[int, str]]) -> tuple[dict[str, int], dict[str, int]]:
    """Quality statement → score, from "Label Score: n" or "Label" then "Score: n"."""
    found: dict[str, int] = {}
    pages: dict[str, int] = {}
    for index, (page, line) in enumerate(lines):
        m = _SCORE.match(line)
        if not m:
            continue
        label = m.group(1) or ""
        key = quality_statement_key(label) if label else None
        back = index - 1
        while key is None and back >= max(0, index - 3):
            key = quality_statement_key(lines[back][1])
            back -= 1
        if key and key not in found:
            found[key] = int(m.group(2))
            pages[key] = page
    return found, pages

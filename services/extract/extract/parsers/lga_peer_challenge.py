"""LGA corporate peer challenge feedback reports: visit dates, the five core elements the
peer team reviews, and the numbered key recommendations."""

import re
from typing import Any

from extract.dates import parse_date_range
from extract.parsers.sections import council_from, numbered_after
from extract.text import DocumentText
from shared.councils import default_register

_MARK = re.compile(r"(Corporate Peer Challenge|Peer Challenge Progress Review)", re.I)
_RECOMMENDATIONS = re.compile(r"^(?:\d+\.\s*)?(?:Key )?recommendations$", re.I)
CORE_ELEMENTS = (
    "Local priorities and outcomes",
    "Organisational and place leadership",
    "Governance and culture",
    "Financial planning and management",
    "Capacity for improvement",
)


def matches(text: DocumentText) -> bool:
    return bool(_MARK.search(text.head(10)))


def parse(text: DocumentText, data: bytes) -> dict[str, Any]:
    head = text.pages[0][:12]
    found: dict[str, Any] = {
        "source": "lga",
        "document_type": "lga_peer_challenge",
        "title": " ".join(head[:2]),
        "progress_review": bool(re.search("progress review", text.head(10), re.I)),
    }
    register = default_register()
    for line in head:
        if _MARK.search(line) and not re.sub(_MARK, "", line).strip(" -–:LGA"):
            continue  # the heading itself
        record = register.resolve(line) or (register.find_in(line) if "council" in line.lower() else None)
        if record:
            found["council"] = council_from(record.official_name)
            break
    for line in head:
        start, end = parse_date_range(line)
        if start:
            found["inspection_start"], found["inspection_end"] = start, end
            break
    found["improvements"] = numbered_after(text, _RECOMMENDATIONS)
    found["core_elements"] = core_elements(text)
    return found


def core_elements(text: DocumentText) -> list[dict[str, Any]]:
    """The five core elements, each with the page its section starts on (when present)."""
    found = []
    for name in CORE_ELEMENTS:
        pattern = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s*)?" + re.escape(name) + r"$", re.I)
        page = next((p for p, line in text.lines() if pattern.match(line)), None)
        if page:
            found.append({"name": name, "page": page})
    return found

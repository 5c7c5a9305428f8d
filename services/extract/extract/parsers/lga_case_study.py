"""LGA case studies (web page or PDF): council, topic, headline, publication date."""

import re
from typing import Any

from extract.dates import parse_date
from extract.parsers.sections import council_from
from extract.text import DocumentText
from shared.councils import default_register

_PUBLISHER = re.compile(r"^(?:Local Government Association|LGA)$", re.I)
_TOPIC = re.compile(r"^View all\s*(.+?)\s*articles$", re.I)
_CASE_STUDY = re.compile(r"case stud(?:y|ies)", re.I)


def matches(text: DocumentText) -> bool:
    head = text.pages[0][:8] if text.pages else []
    return any(_PUBLISHER.match(x) for x in head) or (
        text.media_type == "text/html" and bool(_CASE_STUDY.search(text.head(20)))
    )


def parse(text: DocumentText, data: bytes) -> dict[str, Any]:
    lines = [line for line in text.pages[0] if not _PUBLISHER.match(line)]
    first = next((i for i, x in enumerate(text.pages[0])
                  if not _PUBLISHER.match(x) and not _CASE_STUDY.fullmatch(x)), 0)
    title = text.title_from(first)
    found: dict[str, Any] = {"source": "lga", "document_type": "lga_case_study", "title": title,
                             "headline": title.split(":", 1)[-1].strip()}
    register = default_register()
    # The title usually names the council ("Darlington Council Learning Disability
    # Services", "Kingston Council: using AI ..."); else the first paragraph does.
    record = register.find_in(title.split(":", 1)[0]) or register.find_in(title)
    if record is None:
        record = next((r for r in map(register.find_in, lines[1:6]) if r), None)
    if record:
        found["council"] = council_from(record.official_name)
    for line in lines[:40]:
        if (m := _TOPIC.match(line)) is not None:
            found["topic"] = m.group(1)
            break
    for line in lines[:15]:
        published = parse_date(line)
        if published:
            found["published"] = published
            break
    return found

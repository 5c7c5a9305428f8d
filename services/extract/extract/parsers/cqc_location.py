"""CQC provider and location inspection reports: overall and key-question ratings.

From the syndication API's location record (JSON; `localAuthority` names the council) or
from the report's text or PDF ("Overall rating for this service Good", "Is the service
safe? Good").
"""

import re
from typing import Any

from extract.dates import parse_date
from extract.grades import normalise_grade
from extract.parsers.sections import council_from
from extract.text import DocumentText

KEY_QUESTIONS = {"safe": "safe", "effective": "effective", "caring": "caring",
                 "responsive": "responsive", "well-led": "well_led", "well led": "well_led"}
_GRADE = r"(Outstanding|Good|Requires improvement|Inadequate)"
_OVERALL = re.compile(r"Overall rating for this (?:service|location|provider)\s*:?\s*" + _GRADE, re.I)
_QUESTION = re.compile(r"Is the service (safe|effective|caring|responsive|well-led|well led)\??\s*:?\s*" + _GRADE, re.I)
_PUBLISHED = re.compile(r"Date of publication:?\s*(\d{1,2} \w+ \d{4})", re.I)
_VISIT = re.compile(r"Date of inspection visit:?\s*(\d{1,2} \w+ \d{4})", re.I)
_LOCAL_AUTHORITY = re.compile(r"^Local authority:?\s*(.+)$", re.I)


def matches(text: DocumentText) -> bool:
    if isinstance(text.data, dict):
        return "locationId" in text.data or "providerId" in text.data
    return bool(_OVERALL.search(" ".join(line for _, line in text.lines(1, 3))))


def parse(text: DocumentText, data: bytes) -> dict[str, Any]:
    if isinstance(text.data, dict):
        return from_api_record(text.data)
    lines = [line for _, line in text.lines(1, 3)]
    joined = " ".join(lines)
    found: dict[str, Any] = {"source": "cqc", "document_type": "cqc_location_report", "title": lines[0]}
    if (m := _OVERALL.search(joined)) is not None:
        found["rating"] = normalise_grade(m.group(1))
    found["judgements"] = {
        KEY_QUESTIONS[m.group(1).lower()]: normalise_grade(m.group(2)) for m in _QUESTION.finditer(joined)
    }
    found["judgement_pages"] = {key: 1 for key in found["judgements"]}
    if (m := _PUBLISHED.search(joined)) is not None:
        found["published"] = parse_date(m.group(1))
    if (m := _VISIT.search(joined)) is not None:
        found["inspection_start"] = found["inspection_end"] = parse_date(m.group(1))
    for line in lines:
        if (m := _LOCAL_AUTHORITY.match(line)) is not None:
            found["council"] = council_from(m.group(1))
    return found


def from_api_record(record: dict[str, Any]) -> dict[str, Any]:
    """A location (or provider) record of the syndication API, as findings."""
    ratings = (record.get("currentRatings") or {}).get("overall") or {}
    found: dict[str, Any] = {
        "source": "cqc",
        "document_type": "cqc_location_report",
        "title": record.get("name"),
        "location_id": record.get("locationId"),
        "provider_id": record.get("providerId"),
        "rating": normalise_grade(ratings.get("rating") or ""),
        "judgements": {},
    }
    for kq in ratings.get("keyQuestionRatings") or []:
        key = KEY_QUESTIONS.get(str(kq.get("name", "")).lower())
        grade = normalise_grade(kq.get("rating") or "")
        if key and grade:
            found["judgements"][key] = grade
    report_date = ratings.get("reportDate") or (record.get("lastReport") or {}).get("publicationDate")
    if report_date:
        found["published"] = report_date[:10]
    visit = (record.get("lastInspection") or {}).get("date")
    if visit:
        found["inspection_start"] = found["inspection_end"] = visit[:10]
    if record.get("localAuthority"):
        found["council"] = council_from(record["localAuthority"])
    return found

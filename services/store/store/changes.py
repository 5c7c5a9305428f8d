"""What changed, as events for subscribers. Each event has a dedupe key, so a redelivered
message derives nothing new.

    publication.published   a new document about a council (findings summary and links)
    judgement.changed       a grade differs from the same judgement in the council's
                            previous document of the same kind (before/after, both ids)
    score.changed           a CQC quality statement score, overall rating or percent moved
    assessment.started      ingest saw the council enter CQC's assessments in progress
    extraction.failed       a document could not be read (operators' subscriptions only)
    endpoint.failing        one of the subscriber's endpoints has failed a webhook
                            WEBHOOK_FAILING_AFTER_ATTEMPTS times in a row (to its others)
    endpoint.recovered      that endpoint took a webhook again (to it and its others)
    endpoint.disabled       one of the subscriber's endpoints was disabled (to its others)
    ping                    sent to a new subscription, or on request
"""

import json
import secrets
import time
from typing import Any

from shared.events import Findings, SignalObserved
from store.models import Document, Event

PUBLICATION_PUBLISHED = "publication.published"
JUDGEMENT_CHANGED = "judgement.changed"
SCORE_CHANGED = "score.changed"
ASSESSMENT_STARTED = "assessment.started"
EXTRACTION_FAILED = "extraction.failed"
ENDPOINT_FAILING = "endpoint.failing"
ENDPOINT_RECOVERED = "endpoint.recovered"
ENDPOINT_DISABLED = "endpoint.disabled"
PING = "ping"
EVENT_TYPES = [PUBLICATION_PUBLISHED, JUDGEMENT_CHANGED, SCORE_CHANGED, ASSESSMENT_STARTED, EXTRACTION_FAILED,
               ENDPOINT_FAILING, ENDPOINT_RECOVERED, ENDPOINT_DISABLED, PING]
# Reach only subscriptions that name them.
OPERATOR_EVENTS = {EXTRACTION_FAILED}
# Sent to one subscription or one owner, never matched against filters.
DIRECT_EVENTS = {ENDPOINT_FAILING, ENDPOINT_RECOVERED, ENDPOINT_DISABLED, PING}
# Kinds of document whose grades are the council's own (a CQC location report grades a
# care home in the council's area, not the council).
GRADED_TYPES = {"ilacs_inspection", "area_send_inspection"}
SCORED_TYPES = {"cqc_la_assessment"}
GRADE_ORDER = {"inadequate": 1, "requires_improvement": 2, "good": 3, "outstanding": 4}
SEND_ORDER = {"significant_concerns": 1, "inconsistent": 2, "positive": 3}
# Before 2023 one judgement covered children in care and care leavers; later reports grade
# them apart, and each is compared with the combined grade.
COMBINED = {"children_in_care": "children_in_care_and_care_leavers",
            "care_leavers": "children_in_care_and_care_leavers"}
# Webhook bodies stay under this (Standard Webhooks advice); details are behind the links.
MAX_BODY_BYTES = 20_000


def new_event_id() -> str:
    """`msg_` + 48-bit millisecond time + 80 random bits: sortable, unique, no dots."""
    return f"msg_{int(time.time() * 1000):012x}{secrets.token_hex(10)}"


def derive_events(document: Document, findings: Findings, public_base_url: str,
                  previous: Document | None = None) -> list[Event]:
    """Events for a newly extracted document; `previous` is the council's latest earlier
    document of the same kind, if any."""
    links = {"document": f"{public_base_url}/documents/{document.id}"}
    if findings.error:
        payload = {
            "document_id": document.id,
            "source_url": document.source_url,
            "error": findings.error.model_dump(),
            "links": links,
        }
        return [_event(EXTRACTION_FAILED, f"{EXTRACTION_FAILED}:{document.id}", document, payload)]
    if document.council_gss:
        links["timeline"] = f"{public_base_url}/councils/{document.council_gss}/timeline"
    council = findings.council.model_dump() if findings.council else None
    payload = {
        "document_id": document.id,
        "source": findings.source,
        "document_type": findings.document_type,
        "council": council,
        "title": findings.title,
        "published": _iso(findings.published),
        "inspection_start": _iso(findings.inspection_start),
        "inspection_end": _iso(findings.inspection_end),
        "judgements": findings.judgements,
        "scores": findings.scores,
        "rating": findings.rating,
        "percent": findings.percent,
        "send_outcome": findings.send_outcome,
        "inspection_type": findings.inspection_type,
        "improvements": len(findings.improvements),
        "source_url": document.source_url,
        "links": links,
    }
    events = [_event(PUBLICATION_PUBLISHED, f"{PUBLICATION_PUBLISHED}:{document.id}", document, payload)]
    if previous is None or not previous.findings:
        return events
    before = previous.findings
    base = {"council": council, "document_type": findings.document_type, "document_id": document.id,
            "previous_document_id": previous.id, "published": _iso(findings.published),
            "previous_published": _iso(previous.published), "links": links | {
                "previous_document": f"{public_base_url}/documents/{previous.id}"}}
    if findings.document_type in GRADED_TYPES:
        for key, after in findings.judgements.items():
            compared = key if key in before.get("judgements", {}) else COMBINED.get(key)
            was = before.get("judgements", {}).get(compared) if compared else None
            if was and was != after:
                change = {"judgement": key, "before": was, "after": after, "compared_with": compared,
                          "direction": _direction(GRADE_ORDER, was, after)}
                events.append(_event(JUDGEMENT_CHANGED, f"{JUDGEMENT_CHANGED}:{document.id}:{key}", document,
                                     base | change))
        was, after = before.get("send_outcome"), findings.send_outcome
        if was and after and was != after:
            change = {"judgement": "send_outcome", "before": was, "after": after,
                      "direction": _direction(SEND_ORDER, was, after)}
            events.append(_event(JUDGEMENT_CHANGED, f"{JUDGEMENT_CHANGED}:{document.id}:send_outcome", document,
                                 base | change))
    if findings.document_type in SCORED_TYPES:
        moved = {key: {"before": before.get("scores", {}).get(key), "after": score}
                 for key, score in findings.scores.items()
                 if before.get("scores", {}).get(key) not in (None, score)}
        for name, after in (("rating", findings.rating), ("percent", findings.percent)):
            if before.get(name) is not None and after is not None and before.get(name) != after:
                moved[name] = {"before": before.get(name), "after": after}
        if moved:
            events.append(_event(SCORE_CHANGED, f"{SCORE_CHANGED}:{document.id}", document,
                                 base | {"changes": moved, "rating": findings.rating, "percent": findings.percent}))
    return events


def assessment_started(signal: SignalObserved, council_name: str | None, public_base_url: str) -> Event:
    payload = {
        "council": {"name": council_name, "gss_code": signal.council_gss},
        "source": signal.source,
        "detail": signal.detail,
        "observed_at": signal.observed_at.isoformat(),
        "links": {"timeline": f"{public_base_url}/councils/{signal.council_gss}/timeline"},
    }
    return Event(id=new_event_id(), type=ASSESSMENT_STARTED, dedupe_key=f"{ASSESSMENT_STARTED}:{signal.signal_id}",
                 council_gss=signal.council_gss, source=signal.source, payload=payload)


def direct_event(kind: str, dedupe_key: str, payload: dict[str, Any]) -> Event:
    """An event for one subscription or one owner (ping, endpoint.*)."""
    return Event(id=new_event_id(), type=kind, dedupe_key=dedupe_key, payload=payload)


def body_for(event_type: str, timestamp: str, payload: dict[str, Any]) -> bytes:
    """The webhook body; a payload that would pass the size limit is cut to its ids and links."""
    body = json.dumps({"type": event_type, "timestamp": timestamp, "data": payload}, separators=(",", ":"))
    if len(body) > MAX_BODY_BYTES:
        slim = {k: payload[k] for k in ("document_id", "council", "document_type", "links") if k in payload}
        body = json.dumps({"type": event_type, "timestamp": timestamp, "data": slim | {"truncated": True}},
                          separators=(",", ":"))
    return body.encode()


def _event(kind: str, dedupe_key: str, document: Document, payload: dict) -> Event:
    return Event(
        id=new_event_id(), type=kind, dedupe_key=dedupe_key, document_id=document.id,
        council_gss=document.council_gss, source=document.source, document_type=document.document_type,
        payload=payload,
    )


def _direction(order: dict[str, int], before: str, after: str) -> str:
    return "up" if order.get(after, 0) > order.get(before, 0) else "down"


def _iso(value) -> str | None:  # noqa: ANN001
    return value.isoformat() if value else None

"""What changed, as events for subscribers. Each event has a dedupe key, so a redelivered
findings message derives nothing new."""

import secrets
import time

from shared.events import Findings
from store.models import Document, Event

PUBLICATION_PUBLISHED = "publication.published"
EXTRACTION_FAILED = "extraction.failed"
# Operators' events reach only subscriptions that name them.
OPERATOR_EVENTS = {EXTRACTION_FAILED}


def new_event_id() -> str:
    """`msg_` + 48-bit millisecond time + 80 random bits: sortable, unique, no dots."""
    return f"msg_{int(time.time() * 1000):012x}{secrets.token_hex(10)}"


def derive_events(document: Document, findings: Findings, public_base_url: str) -> list[Event]:
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
    payload = {
        "document_id": document.id,
        "source": findings.source,
        "document_type": findings.document_type,
        "council": findings.council.model_dump() if findings.council else None,
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
    return [_event(PUBLICATION_PUBLISHED, f"{PUBLICATION_PUBLISHED}:{document.id}", document, payload)]


def _event(kind: str, dedupe_key: str, document: Document, payload: dict) -> Event:
    return Event(
        id=new_event_id(), type=kind, dedupe_key=dedupe_key, document_id=document.id,
        council_gss=document.council_gss, payload=payload,
    )


def _iso(value) -> str | None:  # noqa: ANN001
    return value.isoformat() if value else None

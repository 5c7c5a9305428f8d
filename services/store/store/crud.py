"""Database work of the store, as plain functions taking a session. One commit per unit
of work, made by the caller; nothing here talks to the network."""

from prometheus_client import Histogram
from sqlalchemy import delete
from sqlmodel import Session, select

from shared import trace
from shared.councils import default_register
from shared.events import DocumentExtracted, DocumentFetched, SignalObserved, utcnow
from store.canary import record_canary
from store.changes import DIRECT_EVENTS, OPERATOR_EVENTS, assessment_started, derive_events
from store.models import Delivery, Document, Event, Finding, Subscription

PIPELINE_SECONDS = Histogram("councilwatch_document_pipeline_seconds",
                             "From ingest having a document's bytes to its findings being stored.",
                             buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600))


def record_fetched(session: Session, event: DocumentFetched) -> None:
    """Note that a document is in the pipeline; never downgrades a later status."""
    if event.canary:
        return  # recorded when its findings come (store.canary)
    doc = session.get(Document, event.document_id)
    if doc is not None:
        return
    session.add(Document(
        id=event.document_id, sha256=event.sha256, status="fetched", source=event.source,
        source_url=event.source_url, filename=event.filename, published=event.published,
        fetched_at=event.fetched_at,
    ))


def record_extraction(session: Session, event: DocumentExtracted, *, public_base_url: str) -> list[Delivery]:
    """Persist findings, derive change events and queue their deliveries (the outbox).

    Idempotent: a document already extracted is left as it is and nothing is derived, and so
    is a failed one told it failed again. A failed document that later extracts (a redrive
    after a fix) becomes extracted: success supersedes failure, never the other way round.
    """
    if event.canary:
        record_canary(session, event)
        return []
    doc = session.get(Document, event.document_id)
    if doc is not None and (doc.status == "extracted" or (doc.status == "failed" and event.findings.error)):
        return []
    if event.fetched_at is not None:
        PIPELINE_SECONDS.observe(max(0.0, (utcnow() - event.fetched_at).total_seconds()))
    findings = event.findings
    if doc is None:
        doc = Document(id=event.document_id, sha256=event.sha256, status="fetched")
    doc.status = "failed" if findings.error else "extracted"
    doc.source = findings.source or doc.source
    doc.source_url = event.source_url or doc.source_url
    doc.filename = doc.filename or findings.file
    doc.document_type = findings.document_type
    doc.council_gss = findings.council.gss_code if findings.council else None
    doc.council_name = findings.council.name if findings.council else None
    doc.title = (findings.title or "")[:500] or None
    doc.published = findings.published or doc.published
    doc.inspection_start = findings.inspection_start
    doc.inspection_end = findings.inspection_end
    doc.error_code = findings.error.code if findings.error else None
    doc.findings = findings.model_dump(mode="json")
    doc.extracted_at = event.extracted_at
    session.add(doc)
    session.exec(delete(Finding).where(Finding.document_id == doc.id))
    session.add_all(finding_rows(doc.id, event))
    session.flush()

    return queue(session, derive_events(doc, findings, public_base_url, previous_document(session, doc)))


def record_signal(session: Session, signal: SignalObserved, *, public_base_url: str) -> list[Delivery]:
    """A publisher's signal as an event (once per signal id) and its deliveries."""
    record = default_register().by_gss.get(signal.council_gss)
    return queue(session, [assessment_started(signal, record.name if record else None, public_base_url)])


def queue(session: Session, events: list[Event]) -> list[Delivery]:
    """Record events not recorded before, with a delivery per matching subscription (the
    outbox: same transaction as the change)."""
    deliveries: list[Delivery] = []
    subscriptions = None
    for change in events:
        if session.exec(select(Event.id).where(Event.dedupe_key == change.dedupe_key)).first():
            continue
        change.traceparent = change.traceparent or trace.current()
        session.add(change)
        session.flush()
        if subscriptions is None:
            subscriptions = session.exec(select(Subscription).where(Subscription.active == True)).all()  # noqa: E712
        for sub in subscriptions:
            if subscription_matches(sub, change):
                delivery = Delivery(event_id=change.id, subscription_id=sub.id, next_attempt_at=utcnow())
                session.add(delivery)
                deliveries.append(delivery)
    return deliveries


def queue_direct(session: Session, event: Event, subscriptions: list[Subscription]) -> list[Delivery]:
    """An event for the given subscriptions only (a ping; an endpoint.* notice)."""
    session.add(event)
    session.flush()
    deliveries = [Delivery(event_id=event.id, subscription_id=s.id, next_attempt_at=utcnow()) for s in subscriptions]
    session.add_all(deliveries)
    return deliveries


def previous_document(session: Session, doc: Document) -> Document | None:
    """The council's latest document of the same kind dated before `doc`."""
    if not doc.council_gss or not doc.document_type:
        return None
    others = session.exec(select(Document).where(
        Document.council_gss == doc.council_gss, Document.document_type == doc.document_type,
        Document.status == "extracted", Document.id != doc.id)).all()
    day = _happened(doc)
    earlier = [d for d in others if not day or (_happened(d) and _happened(d) < day)]
    return max(earlier, key=_happened, default=None)


def finding_rows(document_id: str, event: DocumentExtracted) -> list[Finding]:
    f = event.findings
    rows = [
        Finding(document_id=document_id, kind="judgement", key=k, value=v, page=f.judgement_pages.get(k))
        for k, v in f.judgements.items()
    ]
    rows += [Finding(document_id=document_id, kind="score", key=k, value=str(v)) for k, v in f.scores.items()]
    rows += [
        Finding(document_id=document_id, kind="improvement", key=f"improvement:{i}", value=item.text, page=item.page)
        for i, item in enumerate(f.improvements, start=1)
    ]
    return rows


def subscription_matches(sub: Subscription, event: Event) -> bool:
    """Every filter the subscription sets must let the event through; empty means all."""
    if event.type in DIRECT_EVENTS:
        return False
    if sub.event_types:
        if event.type not in sub.event_types:
            return False
    elif event.type in OPERATOR_EVENTS:
        return False
    if sub.councils and event.council_gss not in sub.councils:
        return False
    if sub.regions:
        record = default_register().by_gss.get(event.council_gss or "")
        if record is None or record.region not in sub.regions:
            return False
    if sub.sources and event.source not in sub.sources:
        return False
    return not sub.document_types or event.document_type in sub.document_types


def timeline(session: Session, gss_code: str) -> list[Document]:
    docs = session.exec(
        select(Document).where(Document.council_gss == gss_code, Document.status == "extracted")
    ).all()
    return sorted(docs, key=_when, reverse=True)


def _when(doc: Document) -> str:
    day = doc.published or doc.inspection_end or doc.inspection_start
    return day.isoformat() if day else ""


def _happened(doc: Document) -> str:
    """When the inspection took place, else when it was published: what "previous" means."""
    day = doc.inspection_end or doc.inspection_start or doc.published
    return day.isoformat() if day else ""

"""Canary runs (shared.canary): recorded, timed and pruned; never a council document, so no
history, change event or webhook comes of one."""

import logging
from datetime import timedelta

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from shared.canary import canary_problem
from shared.events import DocumentExtracted, utcnow
from store.db import as_utc
from store.models import CanaryRun

log = logging.getLogger(__name__)

RUNS = Counter("councilwatch_canary_runs_total", "Canary documents through the whole pipeline, by outcome.",
               ["outcome"])
ROUND_TRIP = Histogram("councilwatch_canary_round_trip_seconds",
                       "From ingest sending the canary to the store recording it.",
                       buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600))
LAST_OK = Gauge("councilwatch_canary_last_success_timestamp_seconds",
                "When a canary last came through whole (read from the database).")
KEEP = timedelta(days=7)


def record_canary(session: Session, event: DocumentExtracted) -> None:
    """Once per canary id, however often the message comes."""
    if session.get(CanaryRun, event.document_id) is not None:
        return
    now = utcnow()
    findings = event.findings
    problem = canary_problem(findings.error.code if findings.error else None, findings.pages)
    session.add(CanaryRun(id=event.document_id, sent_at=event.fetched_at, completed_at=now, ok=problem is None,
                          problem=problem))
    session.exec(delete(CanaryRun).where(CanaryRun.completed_at < now - KEEP))
    RUNS.labels("ok" if problem is None else "failed").inc()
    if event.fetched_at is not None:
        ROUND_TRIP.observe(max(0.0, (now - event.fetched_at).total_seconds()))
    if problem:
        log.warning("canary came through wrong", extra={"document_id": event.document_id, "problem": problem})


def last_canary(session: Session) -> CanaryRun | None:
    return session.exec(select(CanaryRun).order_by(CanaryRun.completed_at.desc()).limit(1)).first()


def canary_gauges(engine: Engine) -> None:
    with Session(engine) as session:
        last_ok = as_utc(session.exec(select(func.max(CanaryRun.completed_at)).where(CanaryRun.ok == True)).one())  # noqa: E712
    if last_ok is not None:
        LAST_OK.set(last_ok.timestamp())

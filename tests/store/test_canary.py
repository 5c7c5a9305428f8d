"""Canary runs in the store: recorded once, checked, pruned, and never a council document."""

from datetime import timedelta

from sqlmodel import Session, select

from shared.canary import CANARY_FILENAME, new_canary_id
from shared.events import DocumentExtracted, DocumentFetched, ExtractionError, Findings, utcnow
from store import crud
from store.canary import last_canary
from store.models import CanaryRun, Delivery, Document, Event, Subscription


def canary(document_id: str, pages: int | None = 1, error: ExtractionError | None = None,
           sent_s_ago: float = 2.0) -> DocumentExtracted:
    return DocumentExtracted(document_id=document_id, sha256="c" * 64, canary=True,
                             fetched_at=utcnow() - timedelta(seconds=sent_s_ago),
                             findings=Findings(sha256="c" * 64, file=CANARY_FILENAME, pages=pages, error=error))


def test_a_canary_is_recorded_once_and_tells_no_one(engine):
    run_id = new_canary_id()
    with Session(engine) as s:
        s.add(Subscription(id="sub_all", url="http://127.0.0.1:9/", secret="whsec_x", owner="admin"))
        crud.record_fetched(s, DocumentFetched(document_id=run_id, sha256="c" * 64, blob_key="c" * 64, size_bytes=1,
                                               canary=True))
        for _ in range(2):  # a redelivered message records nothing more
            assert crud.record_extraction(s, canary(run_id), public_base_url="http://x") == []
            s.commit()
        (run,) = s.exec(select(CanaryRun)).all()
        assert run.id == run_id and run.ok and run.problem is None
        assert 1.5 < (run.completed_at - run.sent_at).total_seconds() < 30
        assert s.exec(select(Document)).all() == [] and s.exec(select(Event)).all() == []
        assert s.exec(select(Delivery)).all() == []


def test_a_canary_that_came_through_wrong_is_recorded_as_such(engine):
    with Session(engine) as s:
        crud.record_extraction(s, canary("canary_a", pages=3), public_base_url="http://x")
        crud.record_extraction(s, canary("canary_b", pages=None, error=ExtractionError(code="timeout", message="30 s")),
                               public_base_url="http://x")
        s.commit()
        runs = {r.id: r for r in s.exec(select(CanaryRun)).all()}
        assert not runs["canary_a"].ok and runs["canary_a"].problem == "expected 1 page, got 3"
        assert not runs["canary_b"].ok and runs["canary_b"].problem == "extraction failed: timeout"


def test_canary_runs_older_than_a_week_are_pruned(engine):
    with Session(engine) as s:
        s.add(CanaryRun(id="canary_old", completed_at=utcnow() - timedelta(days=8), ok=True))
        s.commit()
        crud.record_extraction(s, canary("canary_new"), public_base_url="http://x")
        s.commit()
        assert [r.id for r in s.exec(select(CanaryRun)).all()] == ["canary_new"]
        assert last_canary(s).id == "canary_new"

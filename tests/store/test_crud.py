"""Store transactions on a real database: idempotent, filtered, ordered."""

from datetime import date

from sqlmodel import Session, select

from shared.events import Council, DocumentExtracted, DocumentFetched, ExtractionError, Findings, PageText
from store import crud
from store.models import Delivery, Document, Event, Finding, Subscription


def extracted(doc_id: str, gss: str = "E06000005", published=date(2026, 3, 24), error=None) -> DocumentExtracted:
    findings = Findings(
        sha256="a" * 64, document_type="ilacs_inspection", source="ofsted",
        council=Council(name="Darlington", gss_code=gss), published=published,
        judgements={"impact_of_leaders": "good", "overall_effectiveness": "good"},
        improvements=[PageText(text="Supervision.", page=2)], error=error,
    )
    return DocumentExtracted(document_id=doc_id, sha256="a" * 64, findings=findings)


def add_sub(session, sid, councils=(), types=()):  # noqa: ANN001
    session.add(Subscription(id=sid, url="http://127.0.0.1:9/", councils=list(councils),
                             event_types=list(types), secret="whsec_x", owner="admin"))
    session.commit()


def test_record_extraction_twice_changes_nothing_the_second_time(engine):
    with Session(engine) as s:
        add_sub(s, "sub_all")
        first = crud.record_extraction(s, extracted("doc_1"), public_base_url="http://x")
        s.commit()
        second = crud.record_extraction(s, extracted("doc_1"), public_base_url="http://x")
        s.commit()
        assert (len(first), len(second)) == (1, 0)
        assert len(s.exec(select(Event)).all()) == 1
        assert len(s.exec(select(Finding)).all()) == 3
        assert len(s.exec(select(Delivery)).all()) == 1


def test_a_success_after_a_failure_supersedes_it_and_a_failure_never_supersedes_a_success(engine):
    gave_up = ExtractionError(code="max_deliveries", message="delivered 5 times without success")
    with Session(engine) as s:
        crud.record_extraction(s, extracted("doc_1", error=gave_up), public_base_url="http://x")
        s.commit()
        assert s.get(Document, "doc_1").status == "failed" and s.get(Document, "doc_1").error_code == "max_deliveries"
        assert [e.type for e in s.exec(select(Event)).all()] == ["extraction.failed"]
        crud.record_extraction(s, extracted("doc_1"), public_base_url="http://x")  # a redrive after the fix
        s.commit()
        assert s.get(Document, "doc_1").status == "extracted" and s.get(Document, "doc_1").error_code is None
        crud.record_extraction(s, extracted("doc_1", error=gave_up), public_base_url="http://x")  # a stale retry
        s.commit()
        assert s.get(Document, "doc_1").status == "extracted"
        assert sorted(e.type for e in s.exec(select(Event)).all()) == ["extraction.failed", "publication.published"]
        assert len(s.exec(select(Finding)).all()) == 3


def test_subscriptions_filter_by_council_and_event_type(engine):
    with Session(engine) as s:
        add_sub(s, "sub_darlington", councils=["E06000005"])
        add_sub(s, "sub_tameside", councils=["E08000008"])
        add_sub(s, "sub_ops", types=["extraction.failed"])
        crud.record_extraction(s, extracted("doc_1"), public_base_url="http://x")
        crud.record_extraction(s, extracted("doc_2", error=ExtractionError(code="encrypted", message="x")),
                               public_base_url="http://x")
        s.commit()
        pairs = {(d.subscription_id, s.get(Event, d.event_id).type) for d in s.exec(select(Delivery)).all()}
    assert pairs == {("sub_darlington", "publication.published"), ("sub_ops", "extraction.failed")}


def test_fetched_after_extracted_does_not_downgrade(engine):
    with Session(engine) as s:
        crud.record_extraction(s, extracted("doc_1"), public_base_url="http://x")
        s.commit()
        crud.record_fetched(s, DocumentFetched(document_id="doc_1", sha256="a" * 64, blob_key="a" * 64, size_bytes=1))
        s.commit()
        assert s.get(Document, "doc_1").status == "extracted"


def test_timeline_newest_first(engine):
    with Session(engine) as s:
        crud.record_extraction(s, extracted("doc_old", published=date(2022, 12, 2)), public_base_url="http://x")
        crud.record_extraction(s, extracted("doc_new", published=date(2026, 3, 24)), public_base_url="http://x")
        crud.record_extraction(s, extracted("doc_other", gss="E08000008"), public_base_url="http://x")
        s.commit()
        assert [d.id for d in crud.timeline(s, "E06000005")] == ["doc_new", "doc_old"]

"""Change events on a real database: grades and scores compared with the council's
previous document of the same kind, signals, filters, and the feeds."""

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from councilwatch.samples import la_assessment_html
from councilwatch.samples.cqc import default_scores
from extract.findings import extract_findings
from shared.events import Council, DocumentExtracted, Findings, SignalObserved
from shared.media import HTML
from store import crud
from store.changes import MAX_BODY_BYTES, body_for
from store.main import create_app
from store.models import Event, Subscription
from store.settings import StoreSettings
from tests.conftest import corpus_path

BASE = "http://cw.test"


def store(engine, document_id: str, findings: Findings) -> list:  # noqa: ANN001
    with Session(engine) as session:
        queued = crud.record_extraction(session, DocumentExtracted(
            document_id=document_id, sha256=findings.sha256, findings=findings), public_base_url=BASE)
        session.commit()
        return queued


def events(engine, kind: str) -> list[Event]:  # noqa: ANN001
    with Session(engine) as session:
        return list(session.exec(select(Event).where(Event.type == kind).order_by(Event.id)).all())


def test_real_darlington_reports_give_judgement_changes(engine):
    old = extract_findings(corpus_path("real", "ofsted", "ilacs_darlington_2022-12-02.pdf").read_bytes())
    new = extract_findings(corpus_path("real", "ofsted", "ilacs_darlington_2026-03-24.pdf").read_bytes())
    assert old.council.gss_code == new.council.gss_code == "E06000005"
    store(engine, "doc_darlington_2022", old)
    assert events(engine, "judgement.changed") == []
    store(engine, "doc_darlington_2026", new)
    store(engine, "doc_darlington_2026", new)  # redelivered: nothing new

    changes = {e.payload["judgement"]: e.payload for e in events(engine, "judgement.changed")}
    assert changes["impact_of_leaders"]["before"] == "good" and changes["impact_of_leaders"]["after"] == "outstanding"
    assert changes["overall_effectiveness"]["before"] == "good"
    assert changes["overall_effectiveness"]["after"] == "outstanding"
    assert changes["overall_effectiveness"]["direction"] == "up"
    assert changes["overall_effectiveness"]["previous_document_id"] == "doc_darlington_2022"
    assert changes["overall_effectiveness"]["document_id"] == "doc_darlington_2026"
    # Children in care were outstanding under the combined 2022 judgement and still are.
    assert "children_in_care" not in changes and "care_leavers" not in changes
    assert set(changes) == {k for k, v in new.judgements.items()
                            if v != old.judgements.get(k, old.judgements.get("children_in_care_and_care_leavers"))}


def ilacs(gss: str, end: date, **grades: str) -> Findings:
    return Findings(sha256=f"{gss}{end}".ljust(64, "0"), source="ofsted", document_type="ilacs_inspection",
                    council=Council(name="x", gss_code=gss), inspection_start=end - timedelta(days=11),
                    inspection_end=end, judgements=grades)


def test_changes_compare_with_the_latest_earlier_document_only(engine):
    store(engine, "doc_a", ilacs("E08000008", date(2019, 3, 1), overall_effectiveness="good"))
    store(engine, "doc_b", ilacs("E08000008", date(2023, 3, 1), overall_effectiveness="inadequate"))
    store(engine, "doc_other_council", ilacs("E06000005", date(2024, 3, 1), overall_effectiveness="good"))
    (change,) = events(engine, "judgement.changed")
    assert (change.payload["before"], change.payload["after"], change.payload["direction"]) == (
        "good", "inadequate", "down")
    assert change.council_gss == "E08000008"


def test_cqc_scores_and_rating_changes(engine):
    def assessment(scores: dict[str, int], published: date) -> Findings:
        data = la_assessment_html(council="Kent County Council", scores=scores, published=published)
        return extract_findings(data, media_type=HTML)

    before = default_scores()
    after = before | {"safeguarding": 1, "assessing_needs": 1, "partnerships_and_communities": 2}
    store(engine, "doc_kent_1", assessment(before, date(2024, 6, 1)))
    store(engine, "doc_kent_2", assessment(after, date(2026, 6, 1)))
    (change,) = events(engine, "score.changed")
    moved = change.payload["changes"]
    assert moved["safeguarding"] == {"before": 3, "after": 1}
    assert moved["partnerships_and_communities"] == {"before": 4, "after": 2}
    assert moved["rating"] == {"before": "good", "after": "requires_improvement"}
    assert moved["percent"]["before"] > moved["percent"]["after"]


def test_a_signal_is_one_assessment_started_event(engine):
    signal = SignalObserved(signal_id="cqc:assessment.started:E10000016:x", source="cqc", kind="assessment.started",
                            council_gss="E10000016", detail="Kent County Council")
    with Session(engine) as session:
        session.add(Subscription(id="sub_kent", url="http://127.0.0.1:9/", councils=["E10000016"],
                                 event_types=["assessment.started"], secret="whsec_x", owner="admin"))
        session.commit()
        assert len(crud.record_signal(session, signal, public_base_url=BASE)) == 1
        session.commit()
        assert crud.record_signal(session, signal, public_base_url=BASE) == []  # redelivered
        session.commit()
    (event,) = events(engine, "assessment.started")
    assert event.payload["council"] == {"name": "Kent", "gss_code": "E10000016"}


def sub(**filters) -> Subscription:  # noqa: ANN003
    return Subscription(id="s", url="https://example.org/", secret="whsec_x", owner="admin",
                        **{k: filters.get(k, []) for k in ("councils", "regions", "sources", "document_types",
                                                           "event_types")})


def test_every_filter_must_let_an_event_through():
    darlington = Event(id="e", type="publication.published", dedupe_key="k", council_gss="E06000005",
                       source="ofsted", document_type="ilacs_inspection", payload={})
    assert crud.subscription_matches(sub(), darlington)
    assert crud.subscription_matches(sub(regions=["North East"], sources=["ofsted"]), darlington)
    assert not crud.subscription_matches(sub(regions=["London"]), darlington)
    assert not crud.subscription_matches(sub(sources=["cqc"]), darlington)
    assert not crud.subscription_matches(sub(document_types=["jtai"]), darlington)
    assert not crud.subscription_matches(sub(councils=["E08000008"]), darlington)
    assert not crud.subscription_matches(sub(event_types=["judgement.changed"]), darlington)
    failed = Event(id="f", type="extraction.failed", dedupe_key="f", payload={})
    assert not crud.subscription_matches(sub(), failed)  # operators' events: only when named
    assert crud.subscription_matches(sub(event_types=["extraction.failed"]), failed)
    ping = Event(id="p", type="ping", dedupe_key="p", payload={})
    assert not crud.subscription_matches(sub(event_types=["ping"]), ping)  # sent directly, never matched


def test_bodies_stay_under_20_kb():
    big = {"document_id": "doc_x", "title": "x" * 50_000, "links": {"document": "http://cw.test/documents/doc_x"}}
    body = body_for("publication.published", "2026-11-24T00:00:00+00:00", big)
    assert len(body) < MAX_BODY_BYTES and b'"truncated":true' in body and b"doc_x" in body


def test_change_feed_pages_by_cursor_and_atom_lists_the_council(tmp_path, redis_url, database_url):
    settings = StoreSettings(COUNCILWATCH_ENV="development", REDIS_URL=redis_url, DATABASE_URL=database_url,
                             VAR_DIR=tmp_path, COUNCILWATCH_ADMIN_KEY="test-admin-key-0123456789", LOG_JSON=False,
                             CHANGES_SETTLE_S=0, WEBHOOK_DISPATCH_ENABLED=False, PUBLIC_BASE_URL=BASE)
    with TestClient(create_app(settings)) as client:
        engine = client.app.state.engine
        for year in (2019, 2021, 2023, 2025):
            grade = "good" if year % 4 == 3 else "requires_improvement"
            store(engine, f"doc_{year}", ilacs("E08000008", date(year, 3, 1), overall_effectiveness=grade))
        store(engine, "doc_darl", ilacs("E06000005", date(2024, 3, 1), overall_effectiveness="good"))
        seen, cursor = [], None
        while True:
            page = client.get("/changes", params={"since": cursor, "limit": 3} if cursor else {"limit": 3}).json()
            if not page["events"]:
                break
            seen += page["events"]
            cursor = page["next_cursor"]
        assert [e["type"] for e in seen].count("publication.published") == 5
        assert [e["type"] for e in seen].count("judgement.changed") == 3
        assert len({e["id"] for e in seen}) == len(seen) == 8
        only = client.get("/changes", params={"council": "E06000005"}).json()["events"]
        assert [e["data"]["document_id"] for e in only] == ["doc_darl"]

        atom = client.get("/councils/E08000008/feed.atom")
        assert atom.status_code == 200 and atom.headers["content-type"].startswith("application/atom+xml")
        import xml.etree.ElementTree as ET

        feed = ET.fromstring(atom.text)
        ns = {"a": "http://www.w3.org/2005/Atom"}
        titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
        assert len(titles) == 7 and "Overall effectiveness: good → requires improvement" in titles
        assert client.get("/councils/E99999999/feed.atom").status_code == 404

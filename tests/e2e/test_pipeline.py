"""One publication end to end on real Redis and a real database, through real HTTP."""

import json
import time

import httpx
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from councilwatch.receiver import Receiver
from councilwatch.samples import ilacs_report
from shared.events import DOCUMENTS_EXTRACTED, DOCUMENTS_FETCHED, dead_letter_stream
from tests.conftest import entries_added, wait_for

ADMIN = {"authorization": "Bearer test-admin-key-0123456789"}


def subscribe(svc, receiver: Receiver, **body) -> dict:  # noqa: ANN001
    r = httpx.post(f"{svc.url('store')}/subscriptions", headers=ADMIN,
                   json={"url": receiver.url, "councils": [], **body})
    assert r.status_code == 201, r.text
    receiver.secret = r.json()["secret"]
    return r.json()


def upload(svc, data: bytes, name: str = "report.pdf", **form) -> dict:  # noqa: ANN001
    r = httpx.post(f"{svc.url('ingest')}/documents", files={"file": (name, data, "application/pdf")},
                   data=form, timeout=30)
    assert r.status_code == 202, r.text
    return r.json()


def metric(svc, name: str, series: str) -> float:  # noqa: ANN001
    """The value of one series (`name{labels}`) on a service's /metrics; 0 when absent."""
    for line in httpx.get(f"{svc.url(name)}/metrics").text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return 0.0


def document(svc, document_id: str) -> dict:  # noqa: ANN001
    r = httpx.get(f"{svc.url('store')}/documents/{document_id}")
    return r.json() if r.status_code == 200 else {}


@pytest.fixture
def receiver():
    rec = Receiver(out=lambda _line: None).start()
    yield rec
    rec.stop()


def test_pipeline_delivers_one_verified_webhook(services, database_url, receiver):
    svc = services(database_url)
    svc.start_all()
    sub = subscribe(svc, receiver, councils=["E06000005"], event_types=["publication.published"])
    pdf = ilacs_report(council="Darlington", judgements={
        "impact_of_leaders": "outstanding", "help_and_protection": "good", "children_in_care": "good",
        "care_leavers": "requires_improvement", "overall_effectiveness": "good"})

    started = time.perf_counter()
    accepted = upload(svc, pdf, source_url="https://files.ofsted.gov.uk/v1/file/1")
    assert accepted["status"] == "accepted"
    wait_for(lambda: receiver.received)
    latency = time.perf_counter() - started

    hook = receiver.received[0]
    assert hook["verified"]
    assert hook["type"] == "publication.published"
    assert hook["data"]["council"] == {"name": "Darlington", "gss_code": "E06000005"}
    assert hook["data"]["judgements"]["care_leavers"] == "requires_improvement"
    found = document(svc, accepted["document_id"])
    assert found["status"] == "extracted"
    assert found["findings"]["judgements"]["impact_of_leaders"] == "outstanding"
    assert found["findings"]["improvements"][0]["page"] == 2
    assert found["source_url"] == "https://files.ofsted.gov.uk/v1/file/1"

    timeline = httpx.get(f"{svc.url('store')}/councils/E06000005/timeline").json()
    assert [d["document_id"] for d in timeline["documents"]] == [accepted["document_id"]]
    log = httpx.get(f"{svc.url('store')}/subscriptions/{sub['id']}/deliveries", headers=ADMIN).json()
    assert log[0]["status"] == "succeeded" and log[0]["log"][0]["status_code"] == 200
    print(f"upload → webhook latency: {latency * 1000:.0f} ms")


def test_webhook_verifies_with_standardwebhooks_library(services, tmp_path, receiver):
    """The receiver's own check aside, the reference library accepts the signature."""
    captured = []
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["content-length"]))
            captured.append((body, {k.lower(): v for k, v in self.headers.items()}))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        svc = services(f"sqlite:///{tmp_path / 'store.db'}")
        svc.start_all()
        r = httpx.post(f"{svc.url('store')}/subscriptions", headers=ADMIN,
                       json={"url": f"http://127.0.0.1:{server.server_address[1]}/hook", "councils": []})
        secret = r.json()["secret"]
        assert secret.startswith("whsec_")
        upload(svc, ilacs_report(council="Tameside"))
        wait_for(lambda: len(captured) >= 2)  # the ping on creation, and the publication
        verified = {Webhook(secret).verify(b, h)["type"]: (b, h) for b, h in captured}
        assert Webhook(secret).verify(*verified["ping"])["data"]["reason"] == "created"
        body, headers = verified["publication.published"]
        event = Webhook(secret).verify(body, headers)
        assert event["data"]["council"]["gss_code"] == "E08000008"
        assert set(event) == {"type", "timestamp", "data"}
        assert len(body) < 20_000
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(body.replace(b"Tameside", b"Tamesidf"), headers)
    finally:
        server.shutdown()


def test_same_bytes_twice_give_one_document_and_one_webhook(services, tmp_path, receiver, redis_client):
    svc = services(f"sqlite:///{tmp_path / 'store.db'}")
    svc.start_all()
    subscribe(svc, receiver)
    pdf = ilacs_report(council="Croydon")
    first = upload(svc, pdf)
    second = upload(svc, pdf, name="copy.pdf")
    assert second["document_id"] == first["document_id"]
    assert second["status"] == "duplicate"
    assert metric(svc, "ingest", "ingest_documents_duplicate_total") == 1
    wait_for(lambda: receiver.received)
    time.sleep(1.5)  # time for a wrong second run to show itself
    assert len(receiver.received) == 1
    assert entries_added(redis_client, DOCUMENTS_FETCHED) == 1


def test_same_findings_message_twice_gives_one_webhook(services, tmp_path, receiver, redis_client):
    """A redelivered findings message changes nothing the second time."""
    svc = services(f"sqlite:///{tmp_path / 'store.db'}", STREAM_TRIM_S="3600")  # keep the entry to copy
    svc.start_all()
    subscribe(svc, receiver)
    accepted = upload(svc, ilacs_report(council="Westminster"))
    wait_for(lambda: receiver.received)
    entry = redis_client.xrange(DOCUMENTS_EXTRACTED)[0][1]
    redis_client.xadd(DOCUMENTS_EXTRACTED, entry)  # the very same message, again
    wait_for(lambda: _group_idle(redis_client, DOCUMENTS_EXTRACTED, "store", 2))
    time.sleep(0.5)
    assert len(receiver.received) == 1
    found = document(svc, accepted["document_id"])
    assert len(found["findings"]["judgements"]) == 5


def test_unreadable_pdf_is_dead_lettered_and_the_next_document_flows(services, tmp_path, receiver, redis_client):
    svc = services(f"sqlite:///{tmp_path / 'store.db'}")
    svc.start_all()
    subscribe(svc, receiver, event_types=["publication.published", "extraction.failed"])
    broken = upload(svc, b"%PDF-1.7\n" + b"\x00garbage" * 500, name="broken.pdf")
    good = upload(svc, ilacs_report(council="Darlington"))

    wait_for(lambda: len(receiver.received) == 2)
    dead = redis_client.xrange(dead_letter_stream(DOCUMENTS_FETCHED))
    assert len(dead) == 1
    assert dead[0][1][b"code"] == b"unreadable"
    assert json.loads(dead[0][1][b"body"])["document_id"] == broken["document_id"]
    assert document(svc, broken["document_id"])["status"] == "failed"
    assert document(svc, broken["document_id"])["error"]["code"] == "unreadable"
    assert document(svc, good["document_id"])["status"] == "extracted"
    assert {h["type"] for h in receiver.received} == {"publication.published", "extraction.failed"}


def _group_idle(client, stream: str, group: str, delivered: int) -> bool:  # noqa: ANN001
    info = next(g for g in client.xinfo_groups(stream) if g["name"] == group.encode())
    return info["entries-read"] >= delivered and info["pending"] == 0


def test_saved_cqc_page_flows_as_html(services, tmp_path, receiver):
    from councilwatch.samples import la_assessment_html

    svc = services(f"sqlite:///{tmp_path / 'store.db'}")
    svc.start_all()
    subscribe(svc, receiver, councils=["E10000015"])
    r = httpx.post(f"{svc.url('ingest')}/documents",
                   files={"file": ("hertfordshire.html", la_assessment_html(), "text/html")}, timeout=30)
    assert r.status_code == 202
    wait_for(lambda: receiver.received)
    data = receiver.received[0]["data"]
    assert data["document_type"] == "cqc_la_assessment"
    assert data["rating"] == "good" and data["scores"]["partnerships_and_communities"] == 4
    found = document(svc, r.json()["document_id"])
    assert found["findings"]["percent"] == 78


def test_streams_are_trimmed_to_what_some_group_still_needs(services, tmp_path, receiver, redis_client):
    """Nothing unread is ever cut: with no extract worker the fetched entries all stay, though
    the store has read them; once every group has acked, the streams empty."""
    svc = services(f"sqlite:///{tmp_path / 'store.db'}", STREAM_TRIM_S="0.2")
    svc.start("store")
    svc.start("ingest")
    subscribe(svc, receiver)
    for council in ("Darlington", "Croydon", "Leeds", "Kent"):
        upload(svc, ilacs_report(council=council, marker="trim"))
    wait_for(lambda: _group_idle(redis_client, DOCUMENTS_FETCHED, "store", 4))
    time.sleep(1.0)  # several trim passes
    assert redis_client.xlen(DOCUMENTS_FETCHED) == 4

    svc.start("extract")
    wait_for(lambda: len(receiver.received) == 4)
    wait_for(lambda: redis_client.xlen(DOCUMENTS_FETCHED) == 0 and redis_client.xlen(DOCUMENTS_EXTRACTED) == 0)
    assert entries_added(redis_client, DOCUMENTS_FETCHED) == 4
    assert entries_added(redis_client, DOCUMENTS_EXTRACTED) == 4
    metrics = httpx.get(f"{svc.url('store')}/metrics").text
    assert 'councilwatch_stream_trimmed_total{stream="documents.extracted"} 4.0' in metrics

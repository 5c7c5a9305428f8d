"""Failure drills on the real servers (PIPELINE.md §7, R1–R14): break something while
documents flow, let it recover, then count. Each ends with documents in = documents stored =
webhooks sent once, no dead letters and nothing pending (tests.e2e.drills.Tally).

Kill -9 mid-message, the store crash between commit and send, and duplicate ingest have
drills of their own in test_crash_recovery.py and test_pipeline.py; the soak is test_soak.py.
"""

import shutil
import signal
import time
from urllib.parse import urlsplit

import httpx
import pytest

from councilwatch.receiver import Receiver
from councilwatch.samples import ilacs_report
from shared.broker import EXIT_GROUP_LOST
from shared.events import DOCUMENTS_FETCHED, EXTRACT_GROUP, dead_letter_stream
from tests.conftest import wait_for
from tests.e2e.drills import Tally, readiness
from tests.e2e.servers import PrivateRedis, TcpProxy
from tests.e2e.test_operations import cli
from tests.e2e.test_pipeline import document, metric, subscribe, upload

COUNCILS = ["Darlington", "Croydon", "Tameside", "Westminster", "Devon", "Leeds", "Kent", "Camden"]


def reports(n: int, drill: str) -> list[bytes]:
    return [ilacs_report(council=COUNCILS[i % len(COUNCILS)], marker=f"{drill} {i}", body_pages=1) for i in range(n)]


@pytest.fixture
def receiver():
    rec = Receiver(out=lambda _l: None).start()
    yield rec
    rec.stop()


def sqlite(tmp_path) -> str:  # noqa: ANN001
    return f"sqlite:///{tmp_path / 'store.db'}"


def before_extract_with_one_blob(services, tmp_path, receiver, redis_client, pdf: bytes, **settings: str):  # noqa: ANN001, ANN201
    """Store and ingest running, extract not yet, a subscriber, and one document uploaded:
    the services, the tally, the document's id and its blob's path (for the drill to break)."""
    svc = services(sqlite(tmp_path), **settings)
    svc.start("store")
    svc.start("ingest")
    tally = Tally(svc, receiver, sqlite(tmp_path), redis_client)
    tally.subscribe()
    document_id = tally.upload(pdf)
    blob = next(p for p in (tmp_path / "var" / "blobs").rglob(document_id.removeprefix("doc_") + "*")
                if not p.suffix)  # the bytes, not their published mark
    return svc, tally, document_id, blob


def test_deleted_consumer_group_fails_readiness_and_a_restart_recovers(services, tmp_path, receiver, redis_client):
    svc = services(sqlite(tmp_path), GROUP_CHECK_S="2")
    svc.start_all()
    tally = Tally(svc, receiver, sqlite(tmp_path), redis_client)
    tally.subscribe()
    for pdf in reports(3, "group"):
        tally.upload(pdf)
    tally.wait_all_delivered()

    redis_client.xgroup_destroy(DOCUMENTS_FETCHED, EXTRACT_GROUP)
    status, body = readiness(svc, "extract")
    assert status == 503
    assert body["checks"]["documents.fetched/extract:lag"][0]["status"] == "fail"
    # FastStream stops a subscriber whose group is gone; the worker exits so that its
    # supervisor restarts it, rather than idle forever with a passing liveness probe.
    wait_for(lambda: svc.procs["extract"].poll() is not None, timeout_s=15)
    assert svc.procs["extract"].returncode == EXIT_GROUP_LOST
    assert "consumer group(s) gone: documents.fetched/extract" in svc.log("extract")

    for pdf in reports(2, "group, while extract is down"):
        tally.upload(pdf)
    svc.start("extract")  # what compose's `restart:` or `councilwatch run` does
    assert readiness(svc, "extract")[0] == 200
    # The group is recreated from the start of the stream: the first three are read again
    # and change nothing; the two new ones flow.
    counted = tally.assert_each_once()
    assert counted == {"documents": 5, "webhooks": 5}


def test_flushed_redis_fails_readiness_and_restarts_recover(services, tmp_path, receiver, redis_client):
    svc = services(sqlite(tmp_path), GROUP_CHECK_S="2")
    svc.start_all()
    tally = Tally(svc, receiver, sqlite(tmp_path), redis_client)
    tally.subscribe()
    first = reports(3, "flush")
    for pdf in first:
        tally.upload(pdf)
    tally.wait_all_delivered()

    redis_client.flushdb()
    assert readiness(svc, "extract")[0] == 503 and readiness(svc, "store")[0] == 503
    for name in ("extract", "store"):
        wait_for(lambda n=name: svc.procs[n].poll() is not None, timeout_s=15)
        assert svc.procs[name].returncode == EXIT_GROUP_LOST
        svc.start(name)
    # Which bytes were published is marked beside the blob, not in Redis: a flush forgets nothing.
    assert upload(svc, first[0])["status"] == "duplicate"
    for pdf in reports(2, "flush, after"):
        tally.upload(pdf)
    assert tally.assert_each_once() == {"documents": 5, "webhooks": 5}


def test_redis_killed_and_restarted_with_append_only_file_loses_nothing(services, tmp_path, receiver):
    private = PrivateRedis(tmp_path / "redis").start()
    try:
        svc = services(sqlite(tmp_path), REDIS_URL=private.url, GROUP_CHECK_S="1")
        svc.start("store")
        svc.start("ingest")
        client = __import__("redis").Redis.from_url(private.url)
        tally = Tally(svc, receiver, sqlite(tmp_path), client)
        tally.subscribe()
        docs = reports(60, "aof")
        for pdf in docs[:40]:
            tally.upload(pdf)
        svc.start("extract")
        wait_for(lambda: tally.delivered())
        backlog = client.xinfo_groups(DOCUMENTS_FETCHED)
        assert any(g["lag"] or g["pending"] for g in backlog), "the drill must kill Redis mid-flow"
        private.kill()  # SIGKILL, mid-flow: only what reached the append-only file survives
        assert readiness(svc, "extract")[0] == 503 and readiness(svc, "store")[0] == 503
        time.sleep(2)
        private.start()
        for pdf in docs[40:]:
            tally.upload(pdf)  # retried while ingest answers 5xx, as a publisher poll would be
        assert tally.assert_each_once(settle_s=2) == {"documents": 60, "webhooks": 60}
        assert all(readiness(svc, name)[0] == 200 for name in ("ingest", "extract", "store"))
        assert svc.running()  # recovered without a restart: the groups survived in the AOF
        client.close()
    finally:
        private.stop()


def test_database_down_fails_readiness_acknowledges_nothing_and_everything_flows_after(
        services, postgres_url, receiver, redis_client):
    target = urlsplit(postgres_url)
    proxy = TcpProxy(target.hostname, target.port or 5432).start()
    proxied = postgres_url.replace(f"{target.hostname}:{target.port}", f"127.0.0.1:{proxy.port}")
    try:
        svc = services(proxied, MAX_DELIVERIES="3")
        svc.start_all()
        tally = Tally(svc, receiver, postgres_url, redis_client)
        tally.subscribe()
        docs = reports(12, "database down")
        for pdf in docs[:4]:
            tally.upload(pdf)
        tally.wait_all_delivered()

        proxy.cut()
        wait_for(lambda: readiness(svc, "store")[0] == 503)
        assert readiness(svc, "store")[1]["checks"]["database:responseTime"][0]["status"] == "fail"
        for pdf in docs[4:]:
            tally.upload(pdf)
        # Far longer than MAX_DELIVERIES × CLAIM_IDLE_MS: an outage is not a poison message,
        # so nothing may be dead-lettered, and nothing acknowledged, while it lasts.
        time.sleep(6)
        assert redis_client.xlen(dead_letter_stream("documents.extracted")) == 0
        assert len(tally.delivered()) == 4
        waiting = redis_client.xinfo_groups("documents.extracted")[0]
        assert waiting["pending"] + waiting["lag"] >= 8

        proxy.restore()
        wait_for(lambda: readiness(svc, "store")[0] == 200)
        assert tally.assert_each_once() == {"documents": 12, "webhooks": 12}
        svc.stop_all()  # while the database answers, so the store shuts down promptly
    finally:
        proxy.cut()


def test_receiver_down_then_back_gets_each_webhook_once(services, tmp_path, redis_client):
    receiver = Receiver(out=lambda _l: None).start()
    port = int(urlsplit(receiver.url).port)
    svc = services(sqlite(tmp_path), WEBHOOK_TIME_SCALE="0.02")  # retry schedule 5 s, 5 min... ×0.02
    svc.start_all()
    tally = Tally(svc, receiver, sqlite(tmp_path), redis_client)
    tally.subscribe()
    wait_for(lambda: receiver.pings)
    receiver.stop()
    receiver.server.server_close()  # the port now refuses connections

    for pdf in reports(5, "receiver down"):
        tally.upload(pdf)
    wait_for(lambda: _failed_attempts(svc) >= 5, timeout_s=30)

    back = Receiver(port=port, out=lambda _l: None)
    back.secret = receiver.secret
    tally.receiver = back.start()
    try:
        assert tally.assert_each_once() == {"documents": 5, "webhooks": 5}
    finally:
        back.stop()


def _failed_attempts(svc) -> int:  # noqa: ANN001
    subs = httpx.get(f"{svc.url('store')}/subscriptions", headers={"authorization": "Bearer test-admin-key-0123456789"})
    total = 0
    for sub in subs.json():
        log = httpx.get(f"{svc.url('store')}/subscriptions/{sub['id']}/deliveries",
                        headers={"authorization": "Bearer test-admin-key-0123456789"}).json()
        total += sum(1 for d in log for a in d["log"] if a["status_code"] is None)
    return total


def test_unreadable_blob_is_retried_n_times_without_a_hot_loop_then_dead_lettered(
        services, tmp_path, receiver, redis_client):
    """A failure outside the document (here its blob is unreadable) is retried: exactly
    MAX_DELIVERIES deliveries, each after the claim idle time, then the dead letter; other
    documents flow meanwhile. After the fix, a redrive delivers it once."""
    svc, tally, poison, blob = before_extract_with_one_blob(
        services, tmp_path, receiver, redis_client, ilacs_report(council="Darlington", marker="poison"),
        MAX_DELIVERIES="3", CLAIM_IDLE_MS="1000")
    shutil.move(blob, tmp_path / "kept-blob")
    blob.mkdir()  # reading it now fails with IsADirectoryError, every time
    svc.start("extract")
    for pdf in reports(3, "beside the poison"):
        tally.upload(pdf)

    wait_for(lambda: redis_client.xlen(dead_letter_stream(DOCUMENTS_FETCHED)) == 1, timeout_s=30)
    (_id, letter), = redis_client.xrange(dead_letter_stream(DOCUMENTS_FETCHED))
    assert letter[b"code"] == b"max_deliveries" and b"IsADirectoryError" in letter[b"reason"]
    attempts = _log_entries(svc, "extract", "handler failed")
    assert len(attempts) == 3
    _assert_spaced_by_claim_idle(attempts)
    assert set(tally.delivered()) == set(tally.document_ids) - {poison}

    blob.rmdir()
    shutil.move(tmp_path / "kept-blob", blob)
    entry_id = cli(svc, "dlq", "list").stdout.splitlines()[1].split()[0]
    assert cli(svc, "dlq", "redrive", entry_id).returncode == 0
    assert tally.assert_each_once() == {"documents": 4, "webhooks": 4}


def test_poison_pdf_that_defeats_the_parser_is_dead_lettered_after_exactly_n_deliveries(
        services, tmp_path, receiver, redis_client):
    """R3: a PDF the parser cannot finish (here a page of 100,000 glyphs against a 1 s parse
    limit) is tried MAX_DELIVERIES times, each after the claim idle time, then dead-lettered;
    the store records it failed, the dead-letter metric counts it once, and the documents
    beside it flow meanwhile."""
    from tests.extract.test_hostile_input import glyph_bomb

    svc = services(sqlite(tmp_path), MAX_DELIVERIES="3", CLAIM_IDLE_MS="1000", EXTRACT_TIMEOUT_S="1")
    svc.start_all()
    tally = Tally(svc, receiver, sqlite(tmp_path), redis_client)
    subscribe(svc, receiver, event_types=["publication.published", "extraction.failed"])
    poison = upload(svc, glyph_bomb(100_000), name="glyphs.pdf")["document_id"]
    for pdf in reports(3, "beside the poison pdf"):
        tally.upload(pdf)

    wait_for(lambda: redis_client.xlen(dead_letter_stream(DOCUMENTS_FETCHED)) == 1, timeout_s=40)
    (_id, letter), = redis_client.xrange(dead_letter_stream(DOCUMENTS_FETCHED))
    assert letter[b"code"] == b"max_deliveries" and b"timeout: parsing took over 1 s" in letter[b"reason"]
    tries = _log_entries(svc, "extract", "parse failed")
    assert len(tries) == 3 and {e["document_id"] for e in tries} == {poison}
    _assert_spaced_by_claim_idle(tries)
    wait_for(lambda: document(svc, poison)["status"] == "failed")
    assert document(svc, poison)["error"]["code"] == "max_deliveries"
    wait_for(lambda: any(h["type"] == "extraction.failed" for h in receiver.received))
    assert metric(svc, "extract", 'councilwatch_stream_messages_total{group="extract",outcome="dead_lettered",'
                                    'stream="documents.fetched"}') == 1
    tally.wait_all_delivered()
    assert set(tally.delivered()) == set(tally.document_ids)
    assert readiness(svc, "extract")[1]["status"] == "warn"  # a dead letter waits for an operator


def test_a_message_that_kills_its_worker_is_dead_lettered_after_n_deliveries(
        services, tmp_path, receiver, redis_client):
    """A document whose read hangs the worker (a FIFO stands in for a stuck mount) until it
    is killed: each restart's claimer takes it again, and after MAX_DELIVERIES it is
    dead-lettered unread instead of killing workers forever."""
    import os

    svc, tally, poison, blob = before_extract_with_one_blob(
        services, tmp_path, receiver, redis_client, ilacs_report(council="Leeds", marker="hangs"),
        MAX_DELIVERIES="2", CLAIM_IDLE_MS="500")
    blob.unlink()
    os.mkfifo(blob)
    kills = 0
    while redis_client.xlen(dead_letter_stream(DOCUMENTS_FETCHED)) == 0:
        assert kills <= 4, "the poison message kept killing workers"
        svc.start("extract")
        time.sleep(1.5)  # the reader (or a claimer) takes it and hangs
        svc.procs["extract"].send_signal(signal.SIGKILL)
        svc.procs.pop("extract").wait(10)
        kills += 1
    assert kills >= 1
    (_id, letter), = redis_client.xrange(dead_letter_stream(DOCUMENTS_FETCHED))
    assert letter[b"code"] == b"max_deliveries"
    svc.start("extract")
    for pdf in reports(2, "after the poison"):
        tally.upload(pdf)
    wait_for(lambda: len(tally.delivered()) == 2)
    blob.unlink()


def _log_entries(svc, name: str, message: str) -> list[dict]:  # noqa: ANN001
    return [e for e in _log_lines(svc, name) if e["message"].startswith(message)]


def _assert_spaced_by_claim_idle(entries: list[dict], idle_s: float = 1.0) -> None:
    """Each retry waited for the claim idle time (less scheduling slack): no hot loop."""
    gaps = [(b["time"] - a["time"]).total_seconds() for a, b in zip(entries, entries[1:], strict=False)]
    assert all(gap >= idle_s - 0.1 for gap in gaps), gaps


def _log_lines(svc, name: str) -> list[dict]:  # noqa: ANN001
    import json
    from datetime import datetime

    out = []
    for line in svc.log(name).splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            entry["time"] = datetime.fromisoformat(entry["time"])
            out.append(entry)
    return out

"""A worker killed between reading a message and acknowledging it loses nothing."""

import os
import shutil
import signal
import time

from councilwatch.receiver import Receiver
from councilwatch.samples import ilacs_report
from shared.events import DOCUMENTS_EXTRACTED, DOCUMENTS_FETCHED, EXTRACT_GROUP, dead_letter_stream
from tests.conftest import entries_added, wait_for
from tests.e2e.test_pipeline import subscribe, upload


def test_killed_worker_message_is_reclaimed_and_processed_once(services, tmp_path, redis_client):
    receiver = Receiver(out=lambda _l: None).start()
    try:
        svc = services(f"sqlite:///{tmp_path / 'store.db'}", CLAIM_IDLE_MS="1000")
        svc.start("store")
        svc.start("ingest")
        subscribe(svc, receiver)
        accepted = upload(svc, ilacs_report(council="Darlington"))
        sha = accepted["sha256"]
        blob = tmp_path / "var" / "blobs" / sha[:2] / sha[2:4] / sha
        # The blob becomes a FIFO: the first worker blocks reading it, after XREADGROUP and
        # before XACK, which is where we kill it.
        shutil.move(blob, tmp_path / "real-blob")
        os.mkfifo(blob)

        first = svc.start("extract")
        wait_for(lambda: redis_client.xpending(DOCUMENTS_FETCHED, EXTRACT_GROUP)["pending"] == 1)
        time.sleep(0.3)
        assert entries_added(redis_client, DOCUMENTS_EXTRACTED) == 0
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        svc.procs.pop("extract")  # killed above, by hand, mid-message

        blob.unlink()
        shutil.move(tmp_path / "real-blob", blob)
        svc.start("extract")  # a new consumer; its claimer takes the idle entry over

        wait_for(lambda: receiver.received, timeout_s=30)
        wait_for(lambda: redis_client.xpending(DOCUMENTS_FETCHED, EXTRACT_GROUP)["pending"] == 0)
        time.sleep(1.0)
        assert len(receiver.received) == 1
        assert receiver.received[0]["data"]["document_id"] == accepted["document_id"]
        assert entries_added(redis_client, DOCUMENTS_EXTRACTED) == 1
        assert redis_client.xlen(dead_letter_stream(DOCUMENTS_FETCHED)) == 0
        consumers = redis_client.xinfo_consumers(DOCUMENTS_FETCHED, EXTRACT_GROUP)
        # The killed worker's reader no longer owns the entry; a claimer took it over.
        assert any(c["name"].endswith(b"-claimer") for c in consumers)
        assert all(c["pending"] == 0 for c in consumers)
    finally:
        receiver.stop()


def test_store_killed_between_commit_and_send_delivers_once_after_restart(services, tmp_path, redis_client):
    """The outbox: the findings and their delivery rows commit together; a store that dies
    before sending leaves the rows, and the restarted store sends each exactly once."""
    import httpx
    from sqlmodel import Session, create_engine, select

    from store.models import Delivery

    receiver = Receiver(out=lambda _l: None).start()
    database = f"sqlite:///{tmp_path / 'store.db'}"
    try:
        svc = services(database)
        # This store records and never sends: it dies with its outbox full.
        svc.start("store", WEBHOOK_DISPATCH_ENABLED="false")
        svc.start("extract")
        svc.start("ingest")
        sub = subscribe(svc, receiver, event_types=["publication.published"])
        accepted = upload(svc, ilacs_report(council="Tameside"))
        engine = create_engine(database)

        def pending() -> int:
            with Session(engine) as session:
                return len(session.exec(select(Delivery).where(Delivery.status == "pending",
                                                               Delivery.subscription_id == sub["id"])).all())

        wait_for(lambda: pending() == 2)  # the ping and the publication, committed, unsent
        svc.procs["store"].send_signal(signal.SIGKILL)
        svc.procs.pop("store").wait(10)
        assert receiver.received == []

        svc.start("store")
        wait_for(lambda: receiver.received, timeout_s=30)
        time.sleep(1.0)  # more dispatch rounds: nothing is sent twice
        assert [h["data"]["document_id"] for h in receiver.received] == [accepted["document_id"]]
        assert len(receiver.pings) == 1 and receiver.received[0]["verified"]
        log = httpx.get(f"{svc.url('store')}/subscriptions/{sub['id']}/deliveries",
                        headers={"authorization": "Bearer test-admin-key-0123456789"}).json()
        assert sorted(d["status"] for d in log) == ["succeeded", "succeeded"]
        engine.dispose()
    finally:
        receiver.stop()

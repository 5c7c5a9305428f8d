"""A publisher's new report reaches a subscriber: replay publisher → ingest's monitor →
Redis → extract → store → verified webhook, all real processes on loopback."""

import httpx

from councilwatch.receiver import Receiver
from shared.events import DOCUMENTS_FETCHED
from tests.conftest import entries_added, wait_for
from tests.e2e.test_pipeline import subscribe


def test_a_new_publication_on_the_replay_reaches_the_webhook_once(services, tmp_path, replay, redis_client):
    svc = services(f"sqlite:///{tmp_path / 'store.db'}", **replay.settings(), OFSTED_INTERVAL_S="0.5",
                   CQC_INTERVAL_S="0.5", LGA_INTERVAL_S="0.5", INGEST_RATE_PER_HOST="1000")
    svc.start_all()
    receiver = Receiver(out=lambda _line: None).start()
    try:
        subscribe(svc, receiver, councils=["E08000008"], event_types=["publication.published"])
        wait_for(lambda: all(s["initialized"] for s in httpx.get(f"{svc.url('ingest')}/sources").json()))
        assert entries_added(redis_client, DOCUMENTS_FETCHED) == 0  # the history was seeded, not announced

        url = replay.add_ofsted("Tameside", marker="e2e")
        wait_for(lambda: receiver.received, timeout_s=30)
        (hook,) = receiver.received
        assert hook["verified"] and hook["type"] == "publication.published"
        assert hook["data"]["council"]["gss_code"] == "E08000008"
        assert hook["data"]["source_url"] == url
        assert hook["data"]["judgements"]["overall_effectiveness"] == "good"

        # More polls come and go; still one event and one webhook.
        polls = len(replay.requested("/ofsted/provider/"))
        wait_for(lambda: len(replay.requested("/ofsted/provider/")) >= polls + 6)
        assert entries_added(redis_client, DOCUMENTS_FETCHED) == 1 and len(receiver.received) == 1
    finally:
        receiver.stop()

"""Soak (PIPELINE.md R2): 1,000 documents through four extract workers while a random one is
killed with SIGKILL every 0.5-1.5 s, aiming at a moment it holds an unacknowledged message,
and started again. Nothing may be lost, duplicated or dead-lettered. Slow (about a minute):
`make test` runs it, `make test-fast` skips it."""

import os
import random
import signal
import threading
import time

import pytest

from councilwatch.receiver import Receiver
from councilwatch.samples import ilacs_report
from shared.events import DOCUMENTS_FETCHED, EXTRACT_GROUP
from tests.e2e.drills import Tally

DOCUMENTS = int(os.environ.get("SOAK_DOCUMENTS", "1000"))
# PIPELINE.md R2 asks for four workers; on two cores they also contend with each other.
WORKERS = ("extract", *(f"extract-{n}" for n in range(2, int(os.environ.get("SOAK_WORKERS", "4")) + 1)))


def _pending_of(redis_client, key: str) -> int:  # noqa: ANN001
    consumers = redis_client.xinfo_consumers(DOCUMENTS_FETCHED, EXTRACT_GROUP)
    return sum(c["pending"] for c in consumers if c["name"].decode().startswith(f"{key}-"))


@pytest.mark.slow
def test_soak_with_random_worker_kills_loses_and_duplicates_nothing(services, tmp_path, redis_client):
    seed = int(os.environ.get("SOAK_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    print(f"soak seed {seed} (SOAK_SEED={seed} repeats the kill schedule)")
    councils = ["Darlington", "Croydon", "Tameside", "Westminster", "Devon", "Leeds", "Kent", "Camden"]
    pdfs = [ilacs_report(council=councils[i % len(councils)], marker=f"soak {i}", body_pages=1)
            for i in range(DOCUMENTS)]

    receiver = Receiver(out=lambda _l: None).start()
    database = f"sqlite:///{tmp_path / 'store.db'}"
    svc = services(database, CLAIM_IDLE_MS="1000", LOG_LEVEL="WARNING")
    svc.start("store")
    svc.start("ingest")

    def start_worker(key: str, wait: bool = True) -> None:
        # The second worker takes a free port of its own.
        svc.start("extract", key=key, wait=wait, **({"EXTRACT_PORT": "0"} if key != "extract" else {}))

    for key in WORKERS:
        start_worker(key)
    tally = Tally(svc, receiver, database, redis_client)
    tally.subscribe()

    def upload_all(share: list[bytes]) -> None:
        for pdf in share:
            tally.upload(pdf)

    # Four uploaders outrun the workers, so a backlog builds and the workers are busy.
    uploaders = [threading.Thread(target=upload_all, args=(pdfs[i::4],)) for i in range(4)]
    started = time.monotonic()
    for thread in uploaders:
        thread.start()
    kills = mid_message = 0
    try:
        while any(t.is_alive() for t in uploaders) or len(tally.delivered()) < len(pdfs) * 0.9:
            time.sleep(rng.uniform(0.5, 1.5))
            key = rng.choice(WORKERS)
            # Aim for the worst moment: while it holds a message it has not acknowledged.
            deadline = time.monotonic() + 1
            while _pending_of(redis_client, key) == 0 and time.monotonic() < deadline:
                time.sleep(0.005)
            mid_message += _pending_of(redis_client, key) > 0
            svc.procs[key].send_signal(signal.SIGKILL)
            svc.procs[key].wait(10)
            kills += 1
            start_worker(key, wait=False)
            assert time.monotonic() - started < 600, "the soak is not making progress"
    finally:
        for thread in uploaders:
            thread.join()
    counted = tally.assert_each_once(settle_s=3)
    elapsed = time.monotonic() - started
    print(f"soak: {counted['documents']} documents, {kills} kills ({mid_message} mid-message), "
          f"{elapsed:.0f} s, 0 lost, 0 duplicated, 0 dead letters")
    assert counted == {"documents": DOCUMENTS, "webhooks": DOCUMENTS}
    assert kills >= 5 and mid_message >= 1
    receiver.stop()

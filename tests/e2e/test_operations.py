"""What an operator does when something went wrong: readiness says so, `councilwatch dlq`
shows why, a redrive after the fix delivers, `councilwatch status` sums it up."""

import os
import re
import shutil
import subprocess
import sys
import time

import httpx

from councilwatch.receiver import Receiver
from councilwatch.samples import ilacs_report
from shared.events import DOCUMENTS_FETCHED, dead_letter_stream
from tests.conftest import wait_for
from tests.e2e.test_pipeline import metric, subscribe, upload


def cli(svc, *args: str) -> subprocess.CompletedProcess:  # noqa: ANN001
    return subprocess.run([sys.executable, "-m", "councilwatch.main", *args], env=svc.env, capture_output=True,
                          text=True, timeout=60)


def test_dead_letter_is_shown_explained_and_redriven_after_the_fix(services, tmp_path, redis_client):
    receiver = Receiver(out=lambda _l: None).start()
    try:
        svc = services(f"sqlite:///{tmp_path / 'store.db'}", INGEST_SOURCES="")
        svc.start("store")
        svc.start("ingest")
        subscribe(svc, receiver, event_types=["publication.published"])
        accepted = upload(svc, ilacs_report(council="Darlington", marker="dlq drill"))
        sha = accepted["sha256"]
        blob = tmp_path / "var" / "blobs" / sha[:2] / sha[2:4] / sha
        shutil.move(blob, tmp_path / "kept-blob")  # the blob store lost it
        svc.start("extract")
        wait_for(lambda: redis_client.xlen(dead_letter_stream(DOCUMENTS_FETCHED)) == 1)

        ready = httpx.get(f"{svc.url('extract')}/readyz").json()
        assert ready["status"] == "warn"
        assert ready["checks"]["documents.fetched.dead:length"][0]["observedValue"] == 1
        metrics = httpx.get(f"{svc.url('extract')}/metrics").text
        assert 'councilwatch_dead_letters{stream="documents.fetched"} 1.0' in metrics

        listing = cli(svc, "dlq", "list")
        assert listing.returncode == 0 and "blob_missing" in listing.stdout
        entry_id = listing.stdout.splitlines()[1].split()[0]
        shown = cli(svc, "dlq", "show", entry_id)
        assert accepted["document_id"] in shown.stdout and '"code": "blob_missing"' in shown.stdout

        shutil.move(tmp_path / "kept-blob", blob)  # fixed
        redriven = cli(svc, "dlq", "redrive", entry_id)
        assert redriven.returncode == 0 and "redriven" in redriven.stdout
        wait_for(lambda: receiver.received, timeout_s=30)
        assert receiver.received[0]["data"]["document_id"] == accepted["document_id"]
        assert redis_client.xlen(dead_letter_stream(DOCUMENTS_FETCHED)) == 0
        assert cli(svc, "dlq", "list").stdout.strip() == "no dead letters"

        status = cli(svc, "status")
        assert status.returncode == 0, status.stderr
        assert "documents.fetched" in status.stdout and "extracted 1" in status.stdout
        assert "succeeded" in status.stdout and "subscriptions: 1 active, 0 failing, 0 disabled" in status.stdout
        assert cli(svc, "dlq", "show", "0-0").returncode == 1
    finally:
        receiver.stop()
        os.environ.pop("UNUSED", None)


def test_the_canary_goes_through_the_whole_pipeline_and_tells_no_subscriber(services, tmp_path):
    receiver = Receiver(out=lambda _l: None).start()
    try:
        svc = services(f"sqlite:///{tmp_path / 'store.db'}", INGEST_SOURCES="", CANARY_INTERVAL_S="0.3")
        svc.start_all()
        subscribe(svc, receiver)  # every event type, every council
        wait_for(lambda: metric(svc, "store", 'councilwatch_canary_runs_total{outcome="ok"}') >= 3, timeout_s=30)
        assert metric(svc, "ingest", "ingest_canaries_sent_total") >= 3
        assert metric(svc, "store", "councilwatch_canary_last_success_timestamp_seconds") > time.time() - 30
        assert metric(svc, "store", 'councilwatch_canary_runs_total{outcome="failed"}') == 0

        status = cli(svc, "status")
        assert "documents: none" in status.stdout, status.stdout
        assert re.search(r"canary: last came through \d+ s ago, [\d.]+ s end to end: ok", status.stdout), status.stdout
        # The same bytes every round: one blob, however many rounds.
        blobs = [p for p in (tmp_path / "var" / "blobs").rglob("*") if p.is_file() and not p.suffix]
        assert len(blobs) == 1
        time.sleep(1)
        assert receiver.received == [] and receiver.pings  # the creation ping only
    finally:
        receiver.stop()

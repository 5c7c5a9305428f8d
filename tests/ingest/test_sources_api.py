"""The ingest service runs the monitors on their schedule and shows how they are doing."""

import subprocess
import sys
import time
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from ingest.main import create_app
from ingest.settings import IngestSettings
from tests.conftest import wait_for


def app_settings(tmp_path, redis_url, **extra) -> IngestSettings:  # noqa: ANN001, ANN003
    options = dict(REDIS_URL=redis_url, VAR_DIR=tmp_path, LOG_JSON=False, INGEST_RATE_PER_HOST=1000,
                   INGEST_BACKOFF_S=0.01, INGEST_RETRIES=0, OFSTED_INTERVAL_S=0.3, CQC_INTERVAL_S=0.3,
                   LGA_INTERVAL_S=0.3)
    options.update(extra)
    return IngestSettings(**options)


def test_schedule_polls_every_source_and_reports_it(tmp_path, redis_url, replay):
    settings = app_settings(tmp_path, redis_url, **replay.settings())
    discovered = REGISTRY.get_sample_value("ingest_publications_discovered_total", {"source": "lga"}) or 0
    with TestClient(create_app(settings)) as client:
        # The scheduler writes the next run just after the poll records its success.
        sources = wait_for(lambda: (s := client.get("/sources").json())
                           and all(x["last_success_at"] and x["next_run_at"] for x in s) and s)
        assert [s["source"] for s in sources] == ["ofsted", "cqc", "lga"]
        ofsted = sources[0]
        assert ofsted["initialized"] and ofsted["items_seen"] == 4 and ofsted["publications"] == {"seen": 4}
        assert ofsted["next_run_at"] and ofsted["last_error"] is None
        ready = client.get("/readyz").json()
        assert {k: v[0]["status"] for k, v in ready["checks"].items() if k.startswith("source:")} == {
            "source:ofsted": "pass", "source:cqc": "pass", "source:lga": "pass"}
        # Several polls later the schedule is still polling, and nothing was published twice.
        polls = len(replay.requested("/ofsted/search"))
        wait_for(lambda: len(replay.requested("/lga/case-studies?")) > 6)
        assert len(replay.requested("/ofsted/search")) == polls  # the search is refreshed daily only
        assert client.get("/sources").json()[0]["items_published"] == 0
        metrics = client.get("/metrics").text
        # Counters are per process (and this test shares it): compare with before.
        assert REGISTRY.get_sample_value("ingest_publications_discovered_total", {"source": "lga"}) - discovered == 3
        assert 'ingest_publications_discovered_total{source="lga"}' in metrics
        assert 'ingest_polls_total{outcome="ok",source="ofsted"}' in metrics


def test_last_success_gauge_comes_from_the_durable_state(tmp_path, redis_url):
    """After a restart the staleness gauge still says when a publisher was last read."""
    closed = "http://127.0.0.1:9"
    settings = app_settings(tmp_path, redis_url, OFSTED_REPORTS_URL=f"{closed}/ofsted", CQC_WEB_URL=f"{closed}/cqc",
                            LGA_URL=f"{closed}/lga", CQC_API_KEY="")
    earlier = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    with TestClient(create_app(settings)) as client:
        client.app.state.watch_state.set_status("lga", last_success_at=earlier)  # as a previous process left it
        wait_for(lambda: client.get("/sources").json()[2]["last_error"])  # this process cannot read it
        client.get("/metrics")
        value = REGISTRY.get_sample_value("ingest_source_last_success_timestamp_seconds", {"source": "lga"})
        assert value == earlier.timestamp()


def test_a_closed_network_shows_as_warn_not_fail(tmp_path, redis_url):
    closed = "http://127.0.0.1:9"
    settings = app_settings(tmp_path, redis_url, OFSTED_REPORTS_URL=f"{closed}/ofsted", CQC_WEB_URL=f"{closed}/cqc",
                            LGA_URL=f"{closed}/lga", CQC_API_KEY="")
    with TestClient(create_app(settings)) as client:
        wait_for(lambda: all(s["last_error"] for s in client.get("/sources").json()))
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "warn"
        check = ready.json()["checks"]["source:ofsted"][0]
        assert check["status"] == "warn" and "ConnectError" in check["output"]
        # Uploads still work while the publishers are unreachable.
        r = client.post("/documents", files={"file": ("a.pdf", b"%PDF-1.7 upload")})
        assert r.status_code == 202


def test_restart_keeps_the_schedule(tmp_path, redis_url, replay):
    settings = app_settings(tmp_path, redis_url, **replay.settings(), OFSTED_INTERVAL_S=3600,
                            INGEST_SOURCES="ofsted")
    with TestClient(create_app(settings)) as client:
        wait_for(lambda: client.get("/sources").json()[0]["last_success_at"])
    provider_pages = len(replay.requested("/ofsted/provider/"))
    with TestClient(create_app(settings)) as client:
        time.sleep(1.5)  # the first poll of a fresh start comes after one second
        assert client.get("/sources").json()[0]["initialized"]
    assert len(replay.requested("/ofsted/provider/")) == provider_pages  # next run is an hour away


def cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "councilwatch.main", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_backfill_command_walks_history_resumably_and_status_shows_it(tmp_path, redis_url, replay, redis_client):
    import os

    env = {**os.environ, **replay.settings(), "REDIS_URL": redis_url, "VAR_DIR": str(tmp_path), "LOG_JSON": "false",
           "INGEST_RATE_PER_HOST": "1000", "LOG_LEVEL": "WARNING"}
    first = cli("backfill", "--source", "ofsted", "--since", "2023-01-01", env=env)
    assert first.returncode == 0, first.stderr
    assert "backfill ofsted: 4 listed, 4 new, 3 published, 1 seeded" in first.stdout
    assert "4/4" in first.stderr  # the progress line
    assert redis_client.xlen("documents.fetched") == 3

    again = cli("backfill", "--source", "ofsted", env=env)
    assert "1 published" in again.stdout  # only the 2022 report, left out by --since before
    assert redis_client.xlen("documents.fetched") == 4

    status = cli("sources", "status", env=env)
    assert status.returncode == 0
    line = next(row for row in status.stdout.splitlines() if row.startswith("ofsted"))
    assert line.split()[-2:] == ["4", "4"]  # seen, published

    bad = cli("backfill", "--source", "ofsted", "--council", "E99999999", env=env)
    assert bad.returncode != 0 and "unknown council" in bad.stderr

"""The monitor on the real servers: replay publisher over loopback HTTP, real Redis
streams, the state database on SQLite and PostgreSQL. Counted on the stream: a new
publication is one event, whatever happens around it."""

import json
from datetime import date

import pytest
from redis.asyncio import Redis

from ingest.intake import Intake
from ingest.publishers import make_monitor
from ingest.settings import IngestSettings
from ingest.state import State
from shared.blobs import DirectoryBlobStore
from shared.broker import make_broker
from shared.events import DOCUMENTS_FETCHED, SIGNALS_OBSERVED


@pytest.fixture
async def watch(tmp_path, redis_url, database_url, replay):
    """`watch(**settings)` → a monitor over the replay; all share one state and stream."""
    redis = Redis.from_url(redis_url)
    broker = make_broker(redis_url)
    made = []
    async with broker:
        await broker.start()
        intake = Intake(DirectoryBlobStore(tmp_path / "blobs"), redis, broker, claim_ttl_s=60, stream_maxlen=10_000)

        def make(**overrides):  # noqa: ANN003, ANN202
            options = dict(replay.settings(), VAR_DIR=tmp_path, REDIS_URL=redis_url, INGEST_DATABASE_URL=database_url,
                           INGEST_RATE_PER_HOST=1000, INGEST_BACKOFF_S=0.01, INGEST_RETRIES=1, LOG_JSON=False)
            options.update(overrides)
            monitor = make_monitor(IngestSettings(**options), intake, State(database_url))
            made.append(monitor)
            return monitor

        yield make
        for monitor in made:
            await monitor.client.aclose()
            monitor.state.close()
    await redis.aclose()


def events(redis_client, stream: str = DOCUMENTS_FETCHED) -> list[dict]:
    out = []
    for _id, fields in redis_client.xrange(stream):
        raw = fields[b"__data__"]
        out.append(json.loads(raw[raw.index(b"{"):]))
    return out


async def test_first_run_seeds_silently_then_a_new_publication_is_one_event(watch, replay, redis_client):
    monitor = watch()
    report = await monitor.poll("ofsted")
    assert (report.listed, report.seeded, report.published) == (4, 4, 0)
    assert events(redis_client) == []

    url = replay.add_ofsted("Tameside", published=date(2026, 11, 20))
    report = await monitor.poll("ofsted")
    assert (report.new, report.published) == (1, 1)
    (event,) = events(redis_client)
    assert event["source"] == "ofsted" and event["source_url"] == url
    assert event["council_gss"] == "E08000008" and event["published"] == "2026-11-20"
    assert event["media_type"] == "application/pdf" and event["filename"].endswith(".pdf")

    report = await monitor.poll("ofsted")
    assert report.published == 0 and len(events(redis_client)) == 1
    assert not replay.requested(url.rsplit("/", 1)[1])[1:]  # downloaded once


async def test_first_run_backfill_publishes_history(watch, redis_client):
    report = await watch(INGEST_FIRST_RUN="backfill").poll("lga")
    assert report.published == 3 and len(events(redis_client)) == 3


async def test_backfill_publishes_seen_items_since_a_date_and_resumes(watch, replay, redis_client):
    monitor = watch()
    await monitor.poll("ofsted")  # seeds 4
    report = await monitor.poll("ofsted", backfill=True, since=date(2024, 1, 1))
    assert report.published == 2  # Tameside 2024 and North Northamptonshire 2026
    assert {e["council_gss"] for e in events(redis_client)} == {"E08000008", "E06000061"}
    report = await monitor.poll("ofsted", backfill=True)
    assert report.published == 2  # the two older Darlington ones; nothing twice
    assert len(events(redis_client)) == 4
    assert (await monitor.poll("ofsted", backfill=True)).published == 0


async def test_backfill_of_one_council(watch, redis_client):
    report = await watch().poll("ofsted", backfill=True, council="E06000005")
    assert report.published == 2
    assert {e["council_gss"] for e in events(redis_client)} == {"E06000005"}


async def test_a_crash_between_publishing_and_recording_gives_no_duplicate(watch, replay, redis_client):
    monitor = watch()
    await monitor.poll("ofsted")
    replay.add_ofsted("Darlington")
    real_record = monitor.state.record

    def crash_after_publishing(source, key, **kw):  # noqa: ANN001, ANN003, ANN202
        if kw.get("status") == "published":
            raise RuntimeError("killed")
        return real_record(source, key, **kw)

    monitor.state.record = crash_after_publishing
    with pytest.raises(RuntimeError):
        await monitor.poll("ofsted")
    assert len(events(redis_client)) == 1  # on the stream, not yet recorded

    restarted = watch()  # a new process on the same state
    report = await restarted.poll("ofsted")
    assert report.duplicates == 1 and report.published == 0
    assert len(events(redis_client)) == 1
    assert (await restarted.poll("ofsted")).listed == 5 and len(events(redis_client)) == 1


async def test_a_changed_page_is_a_new_version_and_an_unchanged_one_is_not_fetched_again(watch, replay, redis_client):
    monitor = watch(INGEST_RECHECK_S=0, INGEST_SOURCES="cqc")
    await monitor.poll("cqc")
    slug = replay.add_cqc_assessment("Kent County Council", date(2026, 11, 2))
    report = await monitor.poll("cqc")
    assert report.published == 2  # the page and its PDF
    assert report.signals == 0  # Kent was on the in-progress list when it was seeded

    report = await monitor.poll("cqc")
    # Kent's page answers 304; seeded Darlington's is read once for a baseline, not announced.
    assert report.published == 0 and report.unchanged == 2
    assert replay.requested(f"/{slug}")[-1].status == 304
    assert (await monitor.poll("cqc")).unchanged == 2
    assert replay.requested("/Darlington-")[-1].status == 304

    replay.update_cqc_assessment(slug, "Kent County Council", date(2026, 11, 2),
                                 improvements=["Carers waited too long for assessments."])
    report = await monitor.poll("cqc")
    assert report.published == 1
    page_events = [e for e in events(redis_client) if e["source_url"].endswith(slug)]
    assert len(page_events) == 2 and page_events[0]["sha256"] != page_events[1]["sha256"]
    row = next(r for r in monitor.state.rows("cqc") if r["key"] == f"la-assessment:{slug}")
    assert row["version"] == 2


async def test_429_and_5xx_back_off_and_the_publication_still_arrives(watch, replay, redis_client):
    monitor = watch(INGEST_RETRIES=3)
    await monitor.poll("ofsted")
    url = replay.add_ofsted("Darlington")
    replay.fail("/ofsted/provider/44/80458", status=429, retry_after="1")
    replay.fail(url.rsplit("/", 1)[1], status=502, times=2)
    report = await monitor.poll("ofsted")
    assert report.published == 1 and report.errors == []
    statuses = [r.status for r in replay.requested(url.rsplit("/", 1)[1])]
    assert statuses == [502, 502, 200]


async def test_hostile_links_are_refused_and_recorded_and_nothing_else_is_held_up(watch, replay, redis_client, caplog):
    monitor = watch()
    await monitor.poll("ofsted")
    label = "children's services inspection, pdf - 01 november 2026"
    replay.add_ofsted_link("Darlington", "http://files.evil.example/v1/file/666", label)
    replay.add_ofsted_link("Darlington", f"{replay.base}/private/v1/file/667", label)
    good = replay.add_ofsted("Tameside")
    bad = replay.add_ofsted("Tameside")
    replay.replace(bad.split(replay.base, 1)[1], b"<!DOCTYPE html><html>Service unavailable</html>", "application/pdf")
    report = await monitor.poll("ofsted")
    assert (report.refused, report.failed, report.published) == (2, 1, 1)
    assert [e["source_url"] for e in events(redis_client)] == [good]
    assert not replay.requested("/private/")
    rows = {r["key"]: r for r in monitor.state.rows("ofsted")}
    assert rows["file:666"]["status"] == "refused" and "allow-list" in rows["file:666"]["last_error"]
    assert rows["file:667"]["status"] == "refused" and "robots" in rows["file:667"]["last_error"]
    failed = rows[f"file:{bad.rsplit('/', 1)[1]}"]
    assert failed["status"] == "failed" and "HTML" in failed["last_error"]
    assert "publication refused" in caplog.text
    assert "wrong_type" in monitor.state.status("ofsted")["last_error"]

    # The failed one is retried each poll, up to the cap, and then left alone.
    for _ in range(6):
        await monitor.poll("ofsted")
    assert monitor.state.rows("ofsted")[-1]["attempts"] <= 5
    assert len(replay.requested(bad.rsplit("/", 1)[1])) == 5


async def test_a_closed_network_fails_the_poll_quickly_and_visibly(watch):
    monitor = watch(OFSTED_REPORTS_URL="http://127.0.0.1:9/ofsted", INGEST_RETRIES=0)
    with pytest.raises(Exception, match="network"):
        await monitor.poll("ofsted")
    status = monitor.state.status("ofsted")
    assert status["last_success_at"] is None and "ConnectError" in status["last_error"]
    assert not status["initialized"]


async def test_signals_once_per_entry_into_the_in_progress_list(watch, replay, redis_client):
    monitor = watch(INGEST_SOURCES="cqc")
    await monitor.poll("cqc")  # Kent seeded
    replay.in_progress.append("Devon County Council")
    assert (await monitor.poll("cqc")).signals == 1
    assert (await monitor.poll("cqc")).signals == 0
    replay.in_progress.remove("Devon County Council")
    await monitor.poll("cqc")
    replay.in_progress.append("Devon County Council")
    assert (await monitor.poll("cqc")).signals == 1
    signals = events(redis_client, SIGNALS_OBSERVED)
    assert [s["council_gss"] for s in signals] == ["E10000008", "E10000008"]
    assert signals[0]["kind"] == "assessment.started" and signals[0]["signal_id"] != signals[1]["signal_id"]


async def test_cqc_api_reports_are_published_once_across_overlapping_windows(watch, replay, redis_client):
    monitor = watch(INGEST_SOURCES="cqc", INGEST_FIRST_RUN="backfill")
    replay.add_location("1-555", "Devon", "2026-11-20")
    await monitor.poll("cqc")
    await monitor.poll("cqc")
    api = [e for e in events(redis_client) if e["media_type"] == "application/json"]
    assert len(api) == 1 and api[0]["council_gss"] == "E10000008"


async def test_without_an_api_key_the_cqc_api_is_off_and_says_so(watch, replay):
    monitor = watch(INGEST_SOURCES="cqc", CQC_API_KEY="")
    await monitor.poll("cqc")
    assert "no CQC_API_KEY" in monitor.state.status("cqc")["note"]
    assert not replay.requested("/cqc-api/")

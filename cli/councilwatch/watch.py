"""`councilwatch backfill` and `councilwatch sources status`: the publisher monitors from
the command line. Both use the same state database as the ingest service, so a backfill
resumes where an interrupted one stopped and the running service sees what it did."""

import asyncio
import sys
import time
from datetime import date
from typing import TextIO

from ingest.monitor import PollReport
from ingest.settings import IngestSettings


class ProgressBar:
    """`[#####.....] 12/40 published 9, failed 1` on one line of a terminal; a line every
    few seconds elsewhere (logs, CI)."""

    def __init__(self, label: str, out: TextIO = sys.stderr, width: int = 30) -> None:
        self.label = label
        self.out = out
        self.width = width
        self.tty = out.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int, report: PollReport) -> None:
        now = time.monotonic()
        if not self.tty and done not in (0, total) and now - self._last < 5:
            return
        self._last = now
        filled = int(self.width * done / total) if total else self.width
        line = (f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} "
                f"published {report.published}, duplicates {report.duplicates}, failed {report.failed}")
        self.out.write(("\r" + line) if self.tty else (line + "\n"))
        if self.tty and done == total:
            self.out.write("\n")
        self.out.flush()


async def backfill(source: str, since: date | None, council: str | None) -> PollReport:
    from redis.asyncio import Redis

    from ingest.intake import Intake
    from ingest.publishers import make_monitor
    from shared.blobs import DirectoryBlobStore
    from shared.broker import make_broker

    settings = IngestSettings()
    if source not in settings.INGEST_SOURCES:
        enabled = ", ".join(settings.INGEST_SOURCES)
        raise SystemExit(f"unknown or disabled source {source!r} (INGEST_SOURCES: {enabled})")
    redis = Redis.from_url(settings.REDIS_URL)
    broker = make_broker(settings.REDIS_URL)
    async with broker:
        await broker.start()
        intake = Intake(DirectoryBlobStore(settings.blob_dir), redis, broker,
                        claim_ttl_s=settings.INGEST_CLAIM_TTL_S, stream_maxlen=settings.STREAM_MAXLEN)
        monitor = make_monitor(settings, intake)
        try:
            print(f"backfill {source}: listing...", file=sys.stderr, flush=True)
            return await monitor.poll(source, backfill=True, since=since, council=council,
                                      progress=ProgressBar(f"backfill {source}"))
        finally:
            await monitor.client.aclose()
            monitor.state.close()
            await redis.aclose()


def cmd_backfill(source: str, since: str | None, council: str | None) -> int:
    from shared.councils import default_register

    if council and council not in default_register().by_gss:
        raise SystemExit(f"unknown council GSS code {council}")
    try:
        report = asyncio.run(backfill(source, date.fromisoformat(since) if since else None, council))
    except KeyboardInterrupt:
        print("\ninterrupted: what was published is recorded; run the same command again to resume",
              file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the listing failed: say why, recorded in the status too
        print(f"backfill {source} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"backfill {source}: {report.summary()}")
    for error in report.errors[:10]:
        print(f"  error: {error}")
    for note in report.notes:
        print(f"  note: {note}")
    return 0


def cmd_sources_status() -> int:
    from ingest.sources_api import source_view
    from ingest.state import State

    settings = IngestSettings()
    state = State(settings.INGEST_DATABASE_URL)
    try:
        rows = [source_view(state, name) for name in settings.INGEST_SOURCES]
    finally:
        state.close()
    print(f"{'source':8} {'last success':20} {'next run':20} {'seen':>6} {'published':>9}  last error")
    for row in rows:
        error = row["last_error"] or ""  # every poll sets or clears it
        print(f"{row['source']:8} {_when(row['last_success_at']):20} {_when(row['next_run_at']):20} "
              f"{row['items_seen']:>6} {row['items_published']:>9}  {error[:100]}")
        if row["note"]:
            print(f"{'':8} note: {row['note']}")
    return 0


def _when(value) -> str:  # noqa: ANN001
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "never"

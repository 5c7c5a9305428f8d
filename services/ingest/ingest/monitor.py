"""One poll of one source: list what is there, decide what is new, download it once,
publish it once.

Decisions per listed publication (state in `ingest.state`):
- a key never seen: on a source's first poll with `INGEST_FIRST_RUN=seed` it is recorded
  as `seen` and not published (the site's history is not news); otherwise it is fetched
  and published;
- `published` and immutable: skipped; mutable (a CQC council page): fetched again after
  `INGEST_RECHECK_S` with a conditional GET, and changed bytes are a new *version*;
- `seen`: skipped, except by a backfill, which publishes it (after `--since`); a seen
  mutable page is read on its first recheck for a baseline, and a later change publishes;
- `failed`: retried on each poll until `INGEST_MAX_ATTEMPTS`; `refused`: never fetched.

Exactly once: intake publishes, then the state records it. A crash in between makes the
next poll fetch it again, and intake's content claim (Redis) answers "duplicate", so the
stream gets one event per content; the same claim keeps bytes already published under
another key (or uploaded by hand) off the stream.
"""

import asyncio
import hashlib
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from prometheus_client import Counter, Gauge

from ingest.http import FetchError, PoliteClient, Refused
from ingest.intake import Intake
from ingest.sources import PollContext, Publication, Signal, Source
from ingest.state import Known, State, now
from shared.councils import CouncilRegister
from shared.events import SignalObserved
from shared.media import HTML, JSON

log = logging.getLogger(__name__)

DISCOVERED = Counter("ingest_publications_discovered_total", "Publications listed for the first time.", ["source"])
OUTCOMES = Counter("ingest_publications_total", "Publications handled by a poll, by outcome.", ["source", "outcome"])
POLLS = Counter("ingest_polls_total", "Polls of a source, by outcome.", ["source", "outcome"])
LAST_SUCCESS = Gauge("ingest_source_last_success_timestamp_seconds", "When a poll of the source last succeeded.",
                     ["source"])
_EXTENSIONS = {HTML: "html", JSON: "json"}


@dataclass
class PollReport:
    source: str
    listed: int = 0
    new: int = 0
    seeded: int = 0
    published: int = 0
    duplicates: int = 0
    unchanged: int = 0
    failed: int = 0
    refused: int = 0
    skipped: int = 0
    signals: int = 0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.listed} listed", f"{self.new} new", f"{self.published} published"]
        for name in ("seeded", "duplicates", "unchanged", "failed", "refused", "signals"):
            if getattr(self, name):
                parts.append(f"{getattr(self, name)} {name}")
        return ", ".join(parts)


Progress = Callable[[int, int, PollReport], None]


@dataclass
class _Run:
    """One poll of one source: what every step of it needs to know."""

    source: Source
    ctx: PollContext
    report: PollReport
    seeding: bool
    since: date | None
    listed_signals: dict[str, set[str]] = field(default_factory=dict)

    @property
    def backfill(self) -> bool:
        return self.ctx.deep


class Monitor:
    def __init__(self, sources: dict[str, Source], client: PoliteClient, state: State, intake: Intake,
                 register: CouncilRegister, *, first_run: str = "seed", recheck_s: float = 24 * 3600,
                 max_attempts: int = 5) -> None:
        self.sources = sources
        self.client = client
        self.state = state
        self.intake = intake
        self.register = register
        self.first_run = first_run
        self.recheck_s = recheck_s
        self.max_attempts = max_attempts
        # One poll of a source at a time (the scheduler and an API trigger may overlap).
        self._locks = {name: asyncio.Lock() for name in sources}

    async def poll(self, name: str, *, backfill: bool = False, since: date | None = None,
                   council: str | None = None, progress: Progress | None = None) -> PollReport:
        """Poll `name` once, recording its status; raises when the listing itself failed."""
        async with self._locks[name]:
            started = now()
            try:
                report = await self._poll(name, backfill=backfill, since=since, council=council, progress=progress)
            except Exception as exc:
                POLLS.labels(name, "failed").inc()
                message = f"{type(exc).__name__}: {exc}"[:2000]
                await self._db(self.state.set_status, name, last_run_at=started, last_error=message,
                               last_error_at=now())
                log.warning("poll failed", extra={"source": name, "error": message})
                raise
            problems = report.errors[:1]
            if len(report.errors) > 1:
                problems.append(f"(+{len(report.errors) - 1} more)")
            await self._db(self.state.set_status, name, last_run_at=started, last_success_at=now(),
                           last_error=" ".join(problems) or None, last_error_at=now() if problems else None,
                           note="; ".join(report.notes)[:500] or None)
            await self._db(self.state.add_counts, name, report.new, report.published)
            POLLS.labels(name, "partial" if report.errors else "ok").inc()
            LAST_SUCCESS.labels(name).set_to_current_time()
            log.info("poll %s done: %s", name, report.summary(), extra={"source": name})
            return report

    async def _poll(self, name: str, *, backfill: bool, since: date | None, council: str | None,
                    progress: Progress | None) -> PollReport:
        source = self.sources[name]
        status = await self._db(self.state.status, name)
        seeding = not backfill and not status["initialized"] and self.first_run == "seed"
        ctx = PollContext(
            client=self.client, register=self.register, council=council, deep=backfill,
            known=lambda key: self.state.known(name, key) is not None, cursor=dict(status.get("cursor") or {}),
        )
        run = _Run(source, ctx, PollReport(name), seeding, since)
        if progress is None:
            async for item in source.discover(ctx):
                await self._handle(run, item)
        else:
            # A backfill lists everything first, so the progress bar knows the total.
            items = [item async for item in source.discover(ctx)]
            progress(0, len(items), run.report)
            for done, item in enumerate(items, start=1):
                await self._handle(run, item)
                progress(done, len(items), run.report)
        if council is None:
            for kind, councils in run.listed_signals.items():
                await self._db(self.state.retire_signals, name, kind, councils)
        run.report.errors = ctx.errors
        run.report.notes = ctx.notes
        # Only now, with everything listed handled, may an incremental listing move on.
        await self._db(self.state.set_status, name, initialized=True, cursor=ctx.cursor or None)
        return run.report

    async def _handle(self, run: _Run, item: Publication | Signal) -> None:
        if isinstance(item, Signal):
            run.listed_signals.setdefault(item.kind, set()).add(item.council_gss)
            await self._signal(item, run.seeding, run.report)
        else:
            await self._publication(run, item)

    async def _publication(self, run: _Run, pub: Publication) -> None:
        report = run.report
        report.listed += 1
        known = await self._db(self.state.known, pub.source, pub.key)
        if known is None:
            report.new += 1
            DISCOVERED.labels(pub.source).inc()
        elif not self._due(known, pub, run.backfill):
            report.skipped += 1
            return
        fields = dict(url=pub.url, label=pub.label, media_type=pub.media_type, published=pub.published,
                      council_gss=pub.council_gss)
        if run.seeding or (run.since and pub.published and pub.published < run.since):
            if known is None:
                await self._db(self.state.record, pub.source, pub.key, status="seen", **fields)
                report.seeded += 1
                OUTCOMES.labels(pub.source, "seeded").inc()
            return

        was_published = known is not None and known.status == "published"
        # Validators only where the bytes they stand for are recorded.
        have_bytes = known is not None and known.sha256 is not None
        etag, last_modified = (await self._db(self.state.validators, pub.url)) if have_bytes else (None, None)
        try:
            if pub.body is not None:
                body, validators = pub.body, (None, None)
            else:
                fetched = await self.client.get(pub.url, source=pub.source, expect=pub.media_type,
                                                etag=etag, last_modified=last_modified)
                run.ctx.page_ok()
                if fetched.not_modified:
                    await self._db(self.state.record, pub.source, pub.key, status=known.status, **fields)
                    report.unchanged += 1
                    return
                body, validators = fetched.body, (fetched.etag, fetched.last_modified)
        except Refused as exc:
            await self._db(self.state.record, pub.source, pub.key, status="refused", error=str(exc), **fields)
            report.refused += 1
            OUTCOMES.labels(pub.source, "refused").inc()
            log.warning("publication refused", extra={"source": pub.source, "url": pub.url, "reason": exc.message})
            return
        except FetchError as exc:
            await self._db(self.state.record, pub.source, pub.key, status="published" if was_published else "failed",
                           error=str(exc), **fields)
            report.failed += 1
            OUTCOMES.labels(pub.source, "failed").inc()
            log.warning("publication fetch failed", extra={"source": pub.source, "url": pub.url,
                                                           "status": exc.status, "error": exc.message})
            run.ctx.page_failed(exc)  # noted in the poll's errors; a run of them ends the poll
            return

        sha = hashlib.sha256(body).hexdigest()
        if known is not None and known.sha256 == sha:
            await self._db(self.state.record, pub.source, pub.key, status=known.status, **fields)
            report.unchanged += 1
            return
        if known is not None and known.status == "seen" and not run.backfill:
            # A seeded page, read for the first time: its bytes are the baseline that a
            # later change is measured against, not news themselves.
            await self._db(self.state.record, pub.source, pub.key, status="seen", sha256=sha, **fields)
            await self._db(self.state.remember_validators, pub.url, *validators)
            report.unchanged += 1
            return
        # Intake's content claim answers "duplicate" for bytes already on the stream, under
        # this key (a crash before the record below) or another (one report, two links).
        accepted = await self.intake.accept(
            body, filename=filename_for(pub), media_type=pub.media_type, source=pub.source,
            source_url=pub.url, published=pub.published, council_gss=pub.council_gss,
        )
        await self._db(self.state.record, pub.source, pub.key, status="published", sha256=sha,
                       document_id=accepted.document_id, new_version=True, **fields)
        await self._db(self.state.remember_validators, pub.url, *validators)
        if accepted.duplicate:
            report.duplicates += 1
            OUTCOMES.labels(pub.source, "duplicate").inc()
        else:
            report.published += 1
            OUTCOMES.labels(pub.source, "published").inc()
            log.info("publication published", extra={"source": pub.source, "key": pub.key,
                                                      "document_id": accepted.document_id, "url": pub.url})
        for attachment in run.source.attachments(pub, body):
            await self._publication(run, attachment)

    def _due(self, known: Known, pub: Publication, backfill: bool) -> bool:
        """Whether a publication already known should be fetched (again) now."""
        if known.status == "refused":
            return False
        if known.status == "failed":
            return backfill or known.attempts < self.max_attempts
        if known.status == "seen" and backfill:
            return True
        if not pub.mutable:
            return False
        return known.checked_at is None or now() - known.checked_at >= timedelta(seconds=self.recheck_s)

    async def _signal(self, signal: Signal, seeding: bool, report: PollReport) -> None:
        active = await self._db(self.state.active_signal, signal.source, signal.kind, signal.council_gss)
        if active is not None and active["published"]:
            return
        # Recorded before it is published, and marked after: a crash in between republishes
        # the same signal id, which the store dedupes.
        fresh = f"{signal.source}:{signal.kind}:{signal.council_gss}:{now():%Y%m%d}-{uuid.uuid4().hex[:8]}"
        signal_id = active["id"] if active else fresh
        if active is None:
            await self._db(self.state.add_signal, signal_id, signal.source, signal.kind, signal.council_gss,
                           signal.detail, seeding)
        if seeding:
            return
        await self.intake.publish_signal(SignalObserved(
            signal_id=signal_id, source=signal.source, kind=signal.kind, council_gss=signal.council_gss,
            detail=signal.detail,
        ))
        await self._db(self.state.add_signal, signal_id, signal.source, signal.kind, signal.council_gss,
                       signal.detail, True)
        report.signals += 1
        log.info("signal published", extra={"signal_id": signal_id, "council_gss": signal.council_gss})

    @staticmethod
    async def _db(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        # State calls are short, but never on the event loop that also answers uploads.
        return await asyncio.to_thread(fn, *args, **kwargs)


def filename_for(pub: Publication) -> str:
    """A readable file name: "ofsted-file-50298056.pdf"."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{pub.source}-{pub.key}").strip("-")[:150]
    extension = _EXTENSIONS.get(pub.media_type, "pdf")
    return stem if stem.lower().endswith(f".{extension}") else f"{stem}.{extension}"

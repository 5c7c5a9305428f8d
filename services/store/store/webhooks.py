"""Webhook dispatch from the outbox (`Delivery` rows).

A dispatcher claims due deliveries of active subscriptions by pushing their
`next_attempt_at` forward by a lease (with SKIP LOCKED on PostgreSQL, so replicas never
claim the same row), commits, then sends with no transaction open. A sender that dies
leaves the lease to expire and the row is sent again: at-least-once, with a `webhook-id`
that is the same on every attempt (and on a replay) so the receiver can drop a repeat.

The rule book (Standard Webhooks, Svix, GOV.UK Notify):
- 15 s timeout; redirects are never followed; 2xx is success.
- Network errors, timeouts, 429 and 5xx are retried on the schedule (immediately, 5 s,
  5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h) with ±20 % jitter; `Retry-After` is
  honoured between the scheduled delay and `WEBHOOK_RETRY_AFTER_MAX_FACTOR` times it.
- Any other status fails at once; 410 Gone also disables the endpoint at once.
- A webhook that has failed `WEBHOOK_FAILING_AFTER_ATTEMPTS` (4) attempts tells the
  subscriber's other endpoints `endpoint.failing`, once per failing spell; the endpoint's
  next success sends `endpoint.recovered` to it and to the others (Svix's
  message.attempt.failing / .recovered, per endpoint rather than per message, so a
  receiver down for a day is one notice, not one per webhook).
- An endpoint failing for `WEBHOOK_DISABLE_AFTER_S` (5 days) without a success is
  disabled; a success in between starts the clock again. The subscriber's other endpoints
  get `endpoint.disabled`, and the API shows why; re-enabling is a PATCH.
- A replay by hand makes one attempt and is not rescheduled.
- At most `WEBHOOK_ENDPOINT_CONCURRENCY` requests in flight to one endpoint.
"""

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from shared import trace
from shared.events import utcnow
from shared.retry import parse_retry_after
from store import crud
from store.changes import ENDPOINT_DISABLED, ENDPOINT_FAILING, ENDPOINT_RECOVERED, body_for, direct_event
from store.db import as_utc
from store.models import Delivery, DeliveryAttempt, Event, Subscription
from store.signing import headers
from store.urlguard import UnsafeURL, check_url

log = logging.getLogger(__name__)

ATTEMPTS = Counter("webhook_attempts_total", "Webhook attempts, by outcome.", ["outcome", "status_class"])
DELIVERIES = Counter("webhook_deliveries_total", "Deliveries finished, by outcome.", ["outcome"])
ATTEMPT_SECONDS = Histogram("webhook_attempt_duration_seconds", "Duration of one webhook attempt.")
LATENCY = Histogram("webhook_delivery_latency_seconds", "From the change being recorded to its delivery.",
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 300, 3600, 86400))
DISABLED = Counter("webhook_subscriptions_disabled_total", "Endpoints disabled, by reason.", ["reason"])
FAILING = Counter("webhook_endpoints_failing_total", "Failing spells begun (the owner told endpoint.failing).")
RECOVERED = Counter("webhook_endpoints_recovered_total", "Failing spells ended by a success.")
IN_FLIGHT = Gauge("webhook_deliveries_in_flight", "Deliveries claimed and not yet finished.")
# Read from the database on each scrape (`delivery_gauges`), so every replica reports the same.
PENDING = Gauge("webhook_deliveries_pending", "Deliveries to active endpoints still to succeed or fail for good.")
OVERDUE = Gauge("webhook_deliveries_overdue_seconds",
                "How long the most overdue delivery has been due; above a minute only when the dispatcher "
                "is not keeping up or not running (retries wait for their time, so failing endpoints do not count).")
ENDPOINTS = Gauge("webhook_endpoints", "Subscriptions by state (active, failing, disabled).", ["state"])
RESPONSE_MAX_CHARS = 2000
JITTER = 0.2
CLAIM_BATCH = 200
RECORD_BATCH = 500


def delivery_backlog(session: Session) -> dict:
    """Deliveries waiting, how overdue the oldest is, and endpoints by state."""
    pending, oldest = session.exec(
        select(func.count(), func.min(Delivery.next_attempt_at))
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .where(Delivery.status == "pending", Subscription.active == True)).one()  # noqa: E712
    endpoints = dict.fromkeys(("active", "failing", "disabled"), 0)
    for active, failing, count in session.exec(
            select(Subscription.active, Subscription.failing_since.is_not(None), func.count())
            .group_by(Subscription.active, Subscription.failing_since.is_not(None))):
        endpoints["disabled" if not active else "failing" if failing else "active"] += count
    oldest = as_utc(oldest)
    overdue = max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0
    return {"pending": pending, "overdue_s": overdue, "endpoints": endpoints}


def delivery_gauges(engine: Engine) -> None:
    """Refresh the backlog and endpoint gauges from the database."""
    with Session(engine) as session:
        backlog = delivery_backlog(session)
    PENDING.set(backlog["pending"])
    OVERDUE.set(backlog["overdue_s"])
    for state, count in backlog["endpoints"].items():
        ENDPOINTS.labels(state).set(count)


def retryable(status: int | None) -> bool:
    """Network error or timeout (None), 429 or 5xx."""
    return status is None or status == 429 or status >= 500


@dataclass
class Job:
    delivery_id: int
    subscription_id: str
    msg_id: str
    url: str
    secrets: list[str]
    body: bytes
    event_created_at: datetime
    traceparent: str | None = None


@dataclass
class Outcome:
    status: int | None = None  # None: no answer (network error, timeout)
    response: str | None = None
    error: str | None = None
    retry_after: float | None = None
    refused: bool = False  # the URL failed the SSRF guard: not retryable


class Dispatcher:
    def __init__(self, engine: Engine, settings) -> None:  # noqa: ANN001
        self.engine = engine
        self.settings = settings
        self.wake = asyncio.Event()
        # aiohttp, not httpx: at 64 requests in flight httpx's pool managed ~150 POSTs/s on
        # loopback here, aiohttp ~6,000 (bench/webhook_fanout.py). Made on first use, inside
        # the event loop, as aiohttp requires.
        self._session: aiohttp.ClientSession | None = None
        self._limit = asyncio.Semaphore(settings.WEBHOOK_CONCURRENCY)
        self._per_endpoint: dict[str, asyncio.Semaphore] = {}
        # Claimed and not yet finished; claims stop at `capacity` (back-pressure).
        self.capacity = settings.WEBHOOK_CONCURRENCY * 4
        self._in_flight: set[asyncio.Task] = set()
        self._outcomes: asyncio.Queue[tuple[Job, Outcome, float]] = asyncio.Queue()
        self.recording_blocked = False

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.settings.WEBHOOK_CONCURRENCY),
                timeout=aiohttp.ClientTimeout(total=self.settings.WEBHOOK_TIMEOUT_S),
                headers={"user-agent": "CouncilWatch-Webhooks/1"},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def run(self) -> None:
        """Forever: claim what is due (as far as there is room in flight), send each in its
        own task, and record outcomes in batches; sleep when nothing is due."""
        recorder = asyncio.create_task(self._record_loop(), name="webhook-recorder")
        try:
            while True:
                room = self.capacity - len(self._in_flight)
                jobs: list[Job] = []
                if room > 0 and not self.recording_blocked:
                    try:
                        jobs = await asyncio.to_thread(self._claim, room)
                    except Exception:  # noqa: BLE001 - the loop must survive a database outage
                        log.exception("claiming deliveries failed; retrying")
                for job in jobs:
                    task = asyncio.create_task(self._send(job))
                    self._in_flight.add(task)
                    task.add_done_callback(self._in_flight.discard)
                IN_FLIGHT.set(len(self._in_flight))
                if jobs or room <= 0:
                    await asyncio.sleep(0.005 if room <= 0 else 0)
                    continue
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), self.settings.DISPATCH_INTERVAL_S)
                except TimeoutError:
                    pass
        finally:
            recorder.cancel()
            for task in list(self._in_flight):
                task.cancel()

    def _claim(self, limit: int) -> list[Job]:
        now = utcnow()
        lease = now + timedelta(seconds=self.settings.WEBHOOK_LEASE_S)
        with Session(self.engine) as session:
            query = (
                select(Delivery)
                .join(Subscription, Subscription.id == Delivery.subscription_id)
                .where(Delivery.status == "pending", Delivery.next_attempt_at <= now, Subscription.active == True)  # noqa: E712
                .order_by(Delivery.next_attempt_at)
                .limit(min(limit, CLAIM_BATCH))
                .with_for_update(skip_locked=True, of=Delivery)
            )
            rows = session.exec(query).all()
            if not rows:
                return []
            events = {e.id: e for e in session.exec(select(Event).where(Event.id.in_({d.event_id for d in rows})))}
            subs = {s.id: s for s in session.exec(
                select(Subscription).where(Subscription.id.in_({d.subscription_id for d in rows})))}
            jobs = []
            bodies: dict[str, bytes] = {}
            for delivery in rows:
                event, sub = events[delivery.event_id], subs[delivery.subscription_id]
                delivery.next_attempt_at = lease
                session.add(delivery)
                keys = [sub.secret]
                expires = as_utc(sub.previous_secret_expires_at)
                if sub.previous_secret and expires and expires > now:
                    keys.append(sub.previous_secret)
                if event.id not in bodies:
                    bodies[event.id] = body_for(event.type, as_utc(event.created_at).isoformat(), event.payload)
                jobs.append(Job(delivery.id, sub.id, event.id, sub.url, keys, bodies[event.id],
                                as_utc(event.created_at), event.traceparent))
            session.commit()
        return jobs

    async def _send(self, job: Job) -> None:
        endpoint = self._per_endpoint.setdefault(
            job.subscription_id, asyncio.Semaphore(self.settings.WEBHOOK_ENDPOINT_CONCURRENCY))
        outcome = Outcome()
        # The endpoint's own limit first: a slow endpoint's queue must not hold global slots.
        async with endpoint, self._limit:
            started = time.perf_counter()
            try:
                await check_url(job.url, allow_private=self.settings.WEBHOOK_ALLOW_PRIVATE)
                signed = headers(job.secrets, job.msg_id, int(time.time()), job.body)
                if job.traceparent:
                    signed[trace.HEADER] = trace.child_of(job.traceparent)
                async with self._client().post(job.url, data=job.body, headers=signed, allow_redirects=False) as r:
                    outcome.status = r.status
                    outcome.retry_after = parse_retry_after(r.headers.get("retry-after"))
                    # Only the start of the answer is kept; a huge one is not read.
                    head = await r.content.read(RESPONSE_MAX_CHARS)
                    outcome.response = head.decode("utf-8", errors="replace")
            except UnsafeURL as exc:
                outcome.error, outcome.refused = f"refused: {exc}", True
            except (aiohttp.ClientError, TimeoutError) as exc:
                outcome.error = f"{type(exc).__name__}: {exc}"[:RESPONSE_MAX_CHARS]
            duration = time.perf_counter() - started
        ATTEMPT_SECONDS.observe(duration)
        self._outcomes.put_nowait((job, outcome, duration))

    async def _record_loop(self) -> None:
        """Outcomes are written in batches: one transaction for everything that finished
        since the last one. A batch that cannot be written is kept and written again; only
        if the process dies first does its lease expire and the webhook go again (with the
        same webhook-id, which the receiver drops as a repeat)."""
        while True:
            batch = [await self._outcomes.get()]
            while not self._outcomes.empty() and len(batch) < RECORD_BATCH:
                batch.append(self._outcomes.get_nowait())
            delay = 0.1
            while True:
                try:
                    await asyncio.to_thread(self._record, batch)
                    break
                except Exception:  # noqa: BLE001 - the database is down: keep the outcomes and retry
                    if not self.recording_blocked:
                        log.exception("recording webhook attempts failed; retrying", extra={"attempts": len(batch)})
                    # No new claims meanwhile: once the database is back, a lease that expired
                    # during the outage must not be claimed and sent again before its
                    # outcome is written.
                    self.recording_blocked = True
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
            self.recording_blocked = False

    def _next_delay(self, attempts: int, outcome: Outcome) -> float | None:
        """Seconds until the next attempt, or None when there is none."""
        schedule = self.settings.WEBHOOK_RETRY_SCHEDULE_S
        if outcome.refused or not retryable(outcome.status) or attempts > len(schedule):
            return None
        base = schedule[attempts - 1]
        delay = base * random.uniform(1 - JITTER, 1 + JITTER)
        if outcome.retry_after is not None:
            delay = min(max(delay, outcome.retry_after), base * self.settings.WEBHOOK_RETRY_AFTER_MAX_FACTOR)
        return delay * self.settings.WEBHOOK_TIME_SCALE

    def _record(self, batch: list[tuple[Job, Outcome, float]]) -> None:
        now = utcnow()
        notices = []
        results = []
        with Session(self.engine) as session:
            deliveries = {d.id: d for d in session.exec(
                select(Delivery).where(Delivery.id.in_([job.delivery_id for job, _o, _d in batch])))}
            subs = {s.id: s for s in session.exec(
                select(Subscription).where(Subscription.id.in_({job.subscription_id for job, _o, _d in batch})))}
            for job, outcome, duration in batch:
                delivery, sub = deliveries[job.delivery_id], subs[job.subscription_id]
                delivery.attempts += 1
                delivery.last_status_code = outcome.status
                next_at = None
                if outcome.status is not None and 200 <= outcome.status < 300:
                    delivery.status, result = "succeeded", "succeeded"
                    if sub.failing_notified_at and sub.failing_since:
                        notices += self._recovered(session, sub, now)
                    sub.failing_since, sub.failing_notified_at, sub.last_success_at = None, None, now
                    LATENCY.observe(max(0.0, (now - job.event_created_at).total_seconds()))
                else:
                    delay = None if delivery.manual else self._next_delay(delivery.attempts, outcome)
                    if delay is not None:
                        next_at = now + timedelta(seconds=delay)
                        delivery.next_attempt_at, result = next_at, "retry"
                    else:
                        delivery.status, result = "failed", "failed"
                    sub.failing_since = sub.failing_since or now
                    reason = self._disable_reason(sub, outcome, now)
                    if reason and sub.active:
                        notices += self._disable(session, sub, reason, now)
                    elif (sub.active and not sub.failing_notified_at
                          and delivery.attempts >= self.settings.WEBHOOK_FAILING_AFTER_ATTEMPTS):
                        notices += self._failing(session, sub, delivery, outcome, now)
                session.add_all([delivery, sub])
                session.add(DeliveryAttempt(
                    delivery_id=job.delivery_id, status_code=outcome.status, duration_ms=round(duration * 1000, 1),
                    response_body=outcome.response, error=outcome.error, next_attempt_at=next_at,
                ))
                results.append((job, outcome, result))
            session.commit()
        if notices:
            self.wake.set()
        for job, outcome, result in results:
            if result != "retry":
                DELIVERIES.labels(result).inc()
            ATTEMPTS.labels(result, f"{outcome.status // 100}xx" if outcome.status else "none").inc()
            log.info("webhook attempt", extra={"delivery_id": job.delivery_id, "webhook_id": job.msg_id,
                                               "status": outcome.status, "outcome": result})

    @property
    def _disable_window(self) -> timedelta:
        """How long an endpoint may fail without a success before it is disabled."""
        return timedelta(seconds=self.settings.WEBHOOK_DISABLE_AFTER_S * self.settings.WEBHOOK_TIME_SCALE)

    def _disable_reason(self, sub: Subscription, outcome: Outcome, now: datetime) -> str | None:
        if outcome.status == 410:
            return "the endpoint answered 410 Gone"
        failing_since = as_utc(sub.failing_since)
        if failing_since and now - failing_since >= self._disable_window:
            return f"no successful delivery since {failing_since.isoformat()}"
        return None

    def _disable(self, session: Session, sub: Subscription, reason: str, now: datetime) -> list[Delivery]:
        """Disable `sub` and tell the owner's other active endpoints."""
        sub.active, sub.disabled_reason, sub.disabled_at = False, reason, now
        DISABLED.labels("gone" if "410" in reason else "failing").inc()
        log.warning("endpoint disabled", extra={"subscription_id": sub.id, "reason": reason})
        return self._tell_owner(session, sub, ENDPOINT_DISABLED, now,
                                {"reason": reason, "disabled_at": now.isoformat()})

    def _failing(self, session: Session, sub: Subscription, delivery: Delivery, outcome: Outcome,
                 now: datetime) -> list[Delivery]:
        """Once per failing spell: the owner's other endpoints hear that `sub` is failing."""
        sub.failing_notified_at = now
        FAILING.inc()
        last = f"HTTP {outcome.status}" if outcome.status else (outcome.error or "no answer")
        log.warning("endpoint failing", extra={"subscription_id": sub.id, "attempts": delivery.attempts,
                                               "last_error": last})
        disable_at = as_utc(sub.failing_since) + self._disable_window
        return self._tell_owner(session, sub, ENDPOINT_FAILING, now, {
            "failing_since": as_utc(sub.failing_since).isoformat(), "attempts": delivery.attempts,
            "last_error": last[:200], "disabled_if_still_failing_at": disable_at.isoformat(),
        })

    def _recovered(self, session: Session, sub: Subscription, now: datetime) -> list[Delivery]:
        """The end of a spell the owner was told of: to `sub` itself too, since it works again
        and is the one most likely to have missed something."""
        RECOVERED.inc()
        log.info("endpoint recovered", extra={"subscription_id": sub.id})
        failed = session.exec(
            select(func.count(func.distinct(Delivery.id)))
            .join(DeliveryAttempt, DeliveryAttempt.delivery_id == Delivery.id)
            .where(Delivery.subscription_id == sub.id, Delivery.status == "failed",
                   DeliveryAttempt.attempted_at >= sub.failing_since)).one()
        return self._tell_owner(session, sub, ENDPOINT_RECOVERED, now, {
            "failing_since": as_utc(sub.failing_since).isoformat(), "recovered_at": now.isoformat(),
            # Webhooks that ran out of retries meanwhile; POST .../replay sends them again.
            "failed_deliveries": failed,
        }, include_self=True)

    def _tell_owner(self, session: Session, sub: Subscription, kind: str, now: datetime, details: dict,
                    include_self: bool = False) -> list[Delivery]:
        """Queue an endpoint.* notice about `sub` to the owner's active endpoints that take it."""
        query = select(Subscription).where(Subscription.owner == sub.owner, Subscription.active == True)  # noqa: E712
        if not include_self:
            query = query.where(Subscription.id != sub.id)
        recipients = [s for s in session.exec(query).all() if not s.event_types or kind in s.event_types]
        if not recipients:
            return []
        event = direct_event(kind, f"{kind}:{sub.id}:{now.isoformat()}", {
            "subscription_id": sub.id, "url": sub.url, **details,
            "links": {"deliveries": f"{self.settings.PUBLIC_BASE_URL}/subscriptions/{sub.id}/deliveries"},
        })
        return crud.queue_direct(session, event, recipients)

"""Webhook dispatch from the outbox (`Delivery` rows).

A dispatcher claims due deliveries by pushing their `next_attempt_at` forward by a lease
(with SKIP LOCKED on PostgreSQL, so replicas never claim the same row), commits, then
sends with no transaction open. A sender that dies leaves the lease to expire and the row
is sent again: at-least-once, with a `webhook-id` that is the same on every attempt so the
receiver can drop a repeat. Rules (Standard Webhooks, GOV.UK Notify): 15 s timeout; 2xx is
success; network errors, timeouts, 429 and 5xx are retried on the schedule with ±20 %
jitter; any other status, 3xx included (redirects are never followed), fails at once.
"""

import asyncio
import json
import logging
import random
import time
from datetime import timedelta

import httpx
from prometheus_client import Counter, Histogram
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from shared.events import utcnow
from store.db import as_utc
from store.models import Delivery, DeliveryAttempt, Event, Subscription
from store.signing import headers
from store.urlguard import UnsafeURL, check_url

log = logging.getLogger(__name__)

ATTEMPTS = Counter("webhook_attempts_total", "Webhook attempts, by outcome.", ["outcome", "status_class"])
ATTEMPT_SECONDS = Histogram("webhook_attempt_duration_seconds", "Duration of one webhook attempt.")
RESPONSE_MAX_CHARS = 2000
JITTER = 0.2
CLAIM_BATCH = 100


def retryable(status: int | None) -> bool:
    """Network error or timeout (None), 429 or 5xx."""
    return status is None or status == 429 or status >= 500


class Dispatcher:
    def __init__(self, engine: Engine, settings) -> None:  # noqa: ANN001
        self.engine = engine
        self.settings = settings
        self.wake = asyncio.Event()
        self._client = httpx.AsyncClient(
            timeout=settings.WEBHOOK_TIMEOUT_S, follow_redirects=False,
            headers={"user-agent": "CouncilWatch-Webhooks/1"},
        )
        self._limit = asyncio.Semaphore(settings.WEBHOOK_CONCURRENCY)

    async def close(self) -> None:
        await self._client.aclose()

    async def run(self) -> None:
        """Forever: send what is due, then sleep until woken or the interval passes."""
        while True:
            try:
                sent = await self.dispatch_due()
            except Exception:  # noqa: BLE001 - the loop must survive a database outage
                log.exception("dispatch failed; retrying")
                sent = 0
            if sent:
                continue
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), self.settings.DISPATCH_INTERVAL_S)
            except TimeoutError:
                pass

    async def dispatch_due(self) -> int:
        claimed = await asyncio.to_thread(self._claim)
        await asyncio.gather(*(self._send(*job) for job in claimed))
        return len(claimed)

    def _claim(self) -> list[tuple[int, str, str, str, dict]]:
        now = utcnow()
        lease = now + timedelta(seconds=self.settings.WEBHOOK_LEASE_S)
        with Session(self.engine) as session:
            query = (
                select(Delivery)
                .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
                .order_by(Delivery.next_attempt_at)
                .limit(CLAIM_BATCH)
                .with_for_update(skip_locked=True)
            )
            rows = session.exec(query).all()
            jobs = []
            for delivery in rows:
                event = session.get(Event, delivery.event_id)
                sub = session.get(Subscription, delivery.subscription_id)
                delivery.next_attempt_at = lease
                session.add(delivery)
                body = {"type": event.type, "timestamp": as_utc(event.created_at).isoformat(), "data": event.payload}
                jobs.append((delivery.id, event.id, sub.url, sub.secret, body))
            session.commit()
        return jobs

    async def _send(self, delivery_id: int, msg_id: str, url: str, secret: str, body: dict) -> None:
        payload = json.dumps(body, separators=(",", ":")).encode()
        status, response, error = None, None, None
        started = time.perf_counter()
        async with self._limit:
            try:
                await check_url(url, allow_private=self.settings.WEBHOOK_ALLOW_PRIVATE)
                r = await self._client.post(url, content=payload, headers=headers(secret, msg_id, int(time.time()), payload))
                status, response = r.status_code, r.text[:RESPONSE_MAX_CHARS]
            except UnsafeURL as exc:
                error = f"refused: {exc}"
                status = 0  # not retryable: the URL itself is the problem
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:RESPONSE_MAX_CHARS]
        duration = time.perf_counter() - started
        ATTEMPT_SECONDS.observe(duration)
        await asyncio.to_thread(self._record, delivery_id, status, response, error, duration)

    def _record(self, delivery_id: int, status: int | None, response: str | None, error: str | None, duration: float) -> None:
        with Session(self.engine) as session:
            delivery = session.get(Delivery, delivery_id)
            delivery.attempts += 1
            delivery.last_status_code = status or None
            next_at = None
            if status is not None and 200 <= status < 300:
                delivery.status, outcome = "succeeded", "succeeded"
            elif retryable(status) and delivery.attempts <= len(self.settings.WEBHOOK_RETRY_SCHEDULE_S):
                delay = self.settings.WEBHOOK_RETRY_SCHEDULE_S[delivery.attempts - 1]
                delay *= self.settings.WEBHOOK_TIME_SCALE * random.uniform(1 - JITTER, 1 + JITTER)
                next_at = utcnow() + timedelta(seconds=delay)
                delivery.next_attempt_at, outcome = next_at, "retry"
            else:
                delivery.status, outcome = "failed", "failed"
            session.add(delivery)
            session.add(DeliveryAttempt(
                delivery_id=delivery_id, status_code=status or None, duration_ms=round(duration * 1000, 1),
                response_body=response, error=error, next_attempt_at=next_at,
            ))
            session.commit()
        status_class = f"{status // 100}xx" if status else "none"
        ATTEMPTS.labels(outcome, status_class).inc()
        log.info("webhook attempt", extra={"delivery_id": delivery_id, "status": status, "outcome": outcome})

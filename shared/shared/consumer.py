"""At-least-once consumption of a Redis stream, with reclaim and dead letters.

FastStream acknowledges nothing on failure and never retries a failed stream message by
itself (it stays pending forever). So each consumer here is a pair of subscribers in one
group: a reader for new entries and a claimer that takes over entries left pending longer
than `claim_idle_ms` (a crashed or failing worker's). Each delivery runs `handle`:

- the handler's return value is the next event; it is published *before* the XACK, so a
  crash in between redelivers the message and handlers must be idempotent;
- `PermanentError` (retrying cannot help) and malformed events go to `<stream>.dead` at once;
- the message's `traceparent` header is the current trace context while it is handled, and
  the next event carries a child of it (shared.trace);
- `Unavailable` (a dependency such as the database is down) is not the message's fault:
  the consumer holds the message, keeps it from being reclaimed (XCLAIM JUSTID resets its
  idle time without counting a delivery) and tries it again until the dependency answers,
  reading nothing new meanwhile; an outage of any length dead-letters nothing;
- any other exception leaves the entry pending: it is retried after `claim_idle_ms`, and
  after `max_deliveries` deliveries it is dead-lettered with the last error. The idle wait
  between retries is what keeps a poison message from looping hot. Before that dead letter,
  `give_up` (if set) may return an event saying so, published like a result, so downstream
  records the failure instead of waiting for ever.
"""

import asyncio
import json
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from faststream import AckPolicy
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import Redis, RedisStreamMessage
from prometheus_client import Counter, Gauge
from pydantic import BaseModel, ValidationError

from shared import trace
from shared.events import dead_letter_stream

log = logging.getLogger(__name__)

EventT = TypeVar("EventT", bound=BaseModel)

MESSAGES = Counter(
    "councilwatch_stream_messages_total",
    "Stream messages handled, by outcome (acked, retry, dead_lettered).",
    ["stream", "group", "outcome"],
)
WAITING = Gauge(
    "councilwatch_consumer_waiting_for_dependency",
    "1 while a consumer holds a message because a dependency (the database) is down.",
    ["stream", "group"],
)
DEAD_LETTER_MAXLEN = 100_000
UNAVAILABLE_MAX_WAIT_S = 5.0


class PermanentError(Exception):
    """Retrying cannot help: the message is dead-lettered at once with this code."""

    def __init__(self, code: str, message: str, next_event: BaseModel | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # Published before the dead letter, so downstream learns of the failure too.
        self.next_event = next_event


class Unavailable(Exception):
    """A dependency the handler needs is down: wait for it and try the message again."""

    def __init__(self, dependency: str, message: str) -> None:
        super().__init__(f"{dependency} unavailable: {message}")
        self.dependency = dependency


def default_consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass
class ReliableConsumer(Generic[EventT]):
    broker: RedisBroker
    stream: str
    group: str
    model: type[EventT]
    handle: Callable[[EventT], Awaitable[BaseModel | None]]
    out_stream: str | None = None
    consumer: str = ""
    claim_idle_ms: int = 60_000
    max_deliveries: int = 5
    stream_maxlen: int = 0  # 0: no cap (settings.STREAM_MAXLEN)
    give_up: Callable[[EventT, str], BaseModel | None] | None = None

    def __post_init__(self) -> None:
        self.consumer = self.consumer or default_consumer_name()
        self._errors_key = f"{self.stream}:{self.group}:last-error"
        reader = StreamSub(self.stream, group=self.group, consumer=self.consumer, max_records=1)
        claimer = StreamSub(
            self.stream,
            group=self.group,
            consumer=f"{self.consumer}-claimer",
            max_records=1,
            min_idle_time=self.claim_idle_ms,
            polling_interval=max(100, min(1000, self.claim_idle_ms // 4)),
        )
        for sub in (reader, claimer):
            self.broker.subscriber(stream=sub, ack_policy=AckPolicy.MANUAL)(self._consume)

    async def _consume(self, msg: RedisStreamMessage, redis: Redis) -> None:
        with trace.active(_traceparent(msg)):
            await self._consume_traced(msg, redis)

    async def _consume_traced(self, msg: RedisStreamMessage, redis: Redis) -> None:
        entry_id = _text(msg.raw_message["message_ids"][0])
        deliveries = await msg.get_delivery_count()
        if deliveries > self.max_deliveries:
            last = await redis.hget(self._errors_key, entry_id)
            reason = f"delivered {deliveries - 1} times without success; last error: {_text(last)}"
            await self._give_up(msg, reason)
            await self._dead_letter(redis, msg, entry_id, "max_deliveries", reason, deliveries)
            return
        try:
            event = self.model.model_validate(_decode(msg.body))
        except (ValueError, ValidationError) as exc:
            await self._dead_letter(redis, msg, entry_id, "malformed_event", str(exc)[:2000], deliveries)
            return
        try:
            next_event = await self._handle_when_available(event, redis, entry_id)
        except PermanentError as exc:
            if exc.next_event is not None and self.out_stream:
                await self._publish(exc.next_event)
            await self._dead_letter(redis, msg, entry_id, exc.code, exc.message, deliveries)
            return
        except Exception as exc:  # noqa: BLE001 - any failure: leave pending, retry later
            log.exception(
                "handler failed; message stays pending for retry",
                extra={"stream": self.stream, "entry_id": entry_id, "deliveries": deliveries},
            )
            await redis.hset(self._errors_key, entry_id, f"{type(exc).__name__}: {exc}"[:2000])
            MESSAGES.labels(self.stream, self.group, "retry").inc()
            return
        if next_event is not None and self.out_stream:
            await self._publish(next_event)
        await msg.ack()
        await redis.hdel(self._errors_key, entry_id)
        MESSAGES.labels(self.stream, self.group, "acked").inc()

    async def _handle_when_available(self, event: EventT, redis: Any, entry_id: str) -> BaseModel | None:
        delay, waiting = 0.1, False
        try:
            while True:
                try:
                    return await self.handle(event)
                except Unavailable as exc:
                    if not waiting:
                        waiting = True
                        log.warning("dependency unavailable; holding the message until it answers",
                                    extra={"stream": self.stream, "entry_id": entry_id, "error": str(exc)[:500]})
                    WAITING.labels(self.stream, self.group).set(1)
                    await self._keep_claimed(redis, entry_id)
                    await asyncio.sleep(delay)
                    # Tried again well within the claim idle time, so the refreshed claim
                    # never lapses into a reclaim.
                    delay = min(delay * 2, UNAVAILABLE_MAX_WAIT_S, self.claim_idle_ms / 3000)
        finally:
            WAITING.labels(self.stream, self.group).set(0)

    async def _keep_claimed(self, redis: Any, entry_id: str) -> None:
        """Reset the entry's idle time, so no claimer takes a message that is only waiting;
        JUSTID leaves the delivery count as it is."""
        try:
            owner = await redis.xpending_range(self.stream, self.group, min=entry_id, max=entry_id, count=1)
            if owner:
                await redis.xclaim(self.stream, self.group, _text(owner[0]["consumer"]), 0, [entry_id], justid=True)
        except Exception:  # noqa: BLE001 - Redis may be down too; the wait goes on regardless
            log.debug("could not refresh a waiting message's claim", exc_info=True)

    async def _give_up(self, msg: Any, reason: str) -> None:
        """Tell downstream the message failed for good (published again if a crash repeats this)."""
        if self.give_up is None or not self.out_stream:
            return
        try:
            event = self.model.model_validate(_decode(msg.body))
        except (ValueError, ValidationError):
            return  # nothing to say about a message that cannot be read
        next_event = self.give_up(event, reason)
        if next_event is not None:
            await self._publish(next_event)

    async def _publish(self, event: BaseModel) -> None:
        await self.broker.publish(event, stream=self.out_stream, maxlen=self.stream_maxlen or None,
                                  headers=trace.outgoing_headers())

    async def _dead_letter(
        self, redis: Any, msg: Any, entry_id: str, code: str, reason: str, deliveries: int
    ) -> None:
        fields = {
            "stream": self.stream,
            "group": self.group,
            "entry_id": entry_id,
            "code": code,
            "reason": reason,
            "deliveries": str(deliveries),
            "body": msg.body if isinstance(msg.body, bytes) else json.dumps(msg.body),
        }
        if trace.current():
            fields[trace.HEADER] = trace.current()  # a redrive continues the same trace
        # Dead-letter entry first, then XACK: a crash in between leaves a duplicate dead
        # letter at worst, never a lost message.
        await redis.xadd(dead_letter_stream(self.stream), fields, maxlen=DEAD_LETTER_MAXLEN)
        await msg.ack()
        await redis.hdel(self._errors_key, entry_id)
        MESSAGES.labels(self.stream, self.group, "dead_lettered").inc()
        log.warning(
            "message dead-lettered",
            extra={"stream": self.stream, "entry_id": entry_id, "code": code, "reason": reason},
        )


def _traceparent(msg: Any) -> str | None:
    """From the headers; else from the body's `trace_id` (events published before headers)."""
    header = (msg.headers or {}).get(trace.HEADER)
    if trace.is_valid(header):
        return header
    try:
        trace_id = _decode(msg.body).get("trace_id")
    except (ValueError, AttributeError):
        trace_id = None
    return trace.new_traceparent(trace_id if isinstance(trace_id, str) else None)


def _decode(body: Any) -> Any:
    if isinstance(body, bytes | bytearray):
        return json.loads(body)
    return body


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes | bytearray) else str(value)

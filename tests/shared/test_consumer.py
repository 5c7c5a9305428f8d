"""The reliable consumer on a real Redis: retry after idle, dead letters, next events."""

import asyncio
import re

from pydantic import BaseModel
from redis.asyncio import Redis

from shared.broker import ensure_group, group_exists, make_broker
from shared.consumer import PermanentError, ReliableConsumer, Unavailable


class Ping(BaseModel):
    n: int


async def run_consumer(redis_url: str, handle, seconds: float, publish=(), before=None, **kw):  # noqa: ANN001
    client = Redis.from_url(redis_url)
    if before:
        await before(client)
    broker = make_broker(redis_url)
    ReliableConsumer(broker=broker, stream="t.in", group="g", model=Ping, handle=handle,
                     out_stream="t.out", claim_idle_ms=200, **kw)
    await ensure_group(client, "t.in", "g")
    async with broker:
        await broker.start()
        for event in publish:
            await broker.publish(event, stream="t.in")
        await asyncio.sleep(seconds)
    return client


async def test_group_created_at_start_sees_earlier_messages(redis_url):
    seen = []

    async def handle(ev: Ping):
        seen.append(ev.n)
        return Ping(n=ev.n * 10)

    async def before(client):
        # Published before any group exists: FastStream's `$` group would skip it.
        await client.xadd("t.in", {"__data__": b'{"n": 7}'})

    client = await run_consumer(redis_url, handle, 1.0, before=before)
    assert seen == [7]
    assert await client.xlen("t.out") == 1
    assert (await client.xpending("t.in", "g"))["pending"] == 0


async def test_failure_is_retried_after_idle_then_dead_lettered(redis_url):
    calls = []

    async def handle(ev: Ping):
        calls.append(asyncio.get_running_loop().time())
        raise RuntimeError("database unavailable")

    client = await run_consumer(redis_url, handle, 2.5, publish=[Ping(n=1)], max_deliveries=3)
    assert len(calls) == 3  # exactly N deliveries, then the dead letter
    gaps = [b - a for a, b in zip(calls, calls[1:], strict=False)]
    assert all(gap >= 0.19 for gap in gaps)  # no hot loop: each retry waits the idle time
    dead = await client.xrange("t.in.dead")
    assert len(dead) == 1
    assert dead[0][1][b"code"] == b"max_deliveries"
    assert b"database unavailable" in dead[0][1][b"reason"]
    assert (await client.xpending("t.in", "g"))["pending"] == 0
    assert await client.xlen("t.out") == 0


async def test_giving_up_tells_downstream_before_the_dead_letter(redis_url):
    async def handle(ev: Ping):
        raise RuntimeError("parser crashed")

    def give_up(ev: Ping, reason: str) -> Ping:
        assert "parser crashed" in reason and "2 times" in reason
        return Ping(n=-ev.n)

    client = await run_consumer(redis_url, handle, 1.5, publish=[Ping(n=4), Ping(n=9)], max_deliveries=2,
                                give_up=give_up)
    # FastStream wraps the JSON body in its binary envelope; the body is in there verbatim.
    told = sorted(int(re.search(rb'\{"n":\s*(-?\d+)\}', fields[b"__data__"]).group(1))
                  for _id, fields in await client.xrange("t.out"))
    assert told == [-9, -4]
    assert await client.xlen("t.in.dead") == 2
    assert (await client.xpending("t.in", "g"))["pending"] == 0


async def test_transient_failure_then_success_publishes_once(redis_url):
    calls = []

    async def handle(ev: Ping):
        calls.append(ev.n)
        if len(calls) == 1:
            raise ConnectionError("blip")
        return Ping(n=ev.n + 1)

    client = await run_consumer(redis_url, handle, 1.5, publish=[Ping(n=1)])
    assert calls == [1, 1]
    assert await client.xlen("t.out") == 1
    assert await client.xlen("t.in.dead") == 0


async def test_permanent_error_and_malformed_event_dead_letter_at_once(redis_url):
    async def handle(ev: Ping):
        raise PermanentError("unreadable", "cannot parse", next_event=Ping(n=-ev.n))

    async def before(client):
        await client.xadd("t.in", {"__data__": b"not json at all"})

    client = await run_consumer(redis_url, handle, 1.0, publish=[Ping(n=5)], before=before)
    codes = sorted(e[1][b"code"] for e in await client.xrange("t.in.dead"))
    assert codes == [b"malformed_event", b"unreadable"]
    assert await client.xlen("t.out") == 1  # the failure event still went downstream


async def test_ensure_group_is_idempotent(redis_client, redis_url):
    client = Redis.from_url(redis_url)
    assert await ensure_group(client, "s", "g") is True
    assert await ensure_group(client, "s", "g") is False
    assert await group_exists(client, "s", "g")
    assert not await group_exists(client, "s", "other")
    assert not await group_exists(client, "missing", "g")
    await client.aclose()


async def test_unavailable_dependency_holds_the_message_without_counting_deliveries(redis_url):
    """An outage far longer than max_deliveries × claim idle: the message waits, is not
    reclaimed or dead-lettered, and goes through once the dependency answers."""
    calls = []
    counts = []
    loop = asyncio.get_running_loop()
    up_at = loop.time() + 1.5
    client = Redis.from_url(redis_url)

    async def handle(ev: Ping):
        calls.append(ev.n)
        pending = await client.xpending_range("t.in", "g", min="-", max="+", count=10)
        counts.append(pending[0]["times_delivered"])
        if loop.time() < up_at:
            raise Unavailable("database", "connection refused")
        return Ping(n=ev.n + 1)

    await run_consumer(redis_url, handle, 2.5, publish=[Ping(n=1)], max_deliveries=2)
    assert len(calls) > 4  # tried again and again while "down"
    assert set(counts) == {1}  # never reclaimed: the wait kept the claim fresh
    assert await client.xlen("t.out") == 1
    assert await client.xlen("t.in.dead") == 0
    assert (await client.xpending("t.in", "g"))["pending"] == 0
    await client.aclose()

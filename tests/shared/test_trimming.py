"""Trimming by acknowledgment on a real Redis: only what every group has acked goes."""

from redis.asyncio import Redis

from shared.trimming import trim_acked


async def fill(client: Redis, n: int) -> list[bytes]:
    return [await client.xadd("s", {"n": i}) for i in range(n)]


async def read(client: Redis, group: str, count: int, ack: int) -> list[bytes]:
    """Deliver `count` entries to `group`, acknowledge the first `ack` of them."""
    got = [entry_id for entry_id, _ in (await client.xreadgroup(group, "c", {"s": ">"}, count=count))[0][1]]
    if ack:
        await client.xack("s", group, *got[:ack])
    return got


async def test_a_stream_without_groups_is_left_whole(redis_url):
    client = Redis.from_url(redis_url)
    await fill(client, 300)
    assert await trim_acked(client, "s") == 0
    assert await client.xlen("s") == 300
    assert await trim_acked(client, "no-such-stream") == 0
    await client.aclose()


async def test_trims_below_the_slowest_groups_oldest_pending_entry(redis_url):
    client = Redis.from_url(redis_url)
    ids = await fill(client, 500)
    await client.xgroup_create("s", "fast", id="0")
    await client.xgroup_create("s", "slow", id="0")
    await read(client, "fast", 450, ack=450)
    await read(client, "slow", 400, ack=300)  # entries 300-399 delivered, not acked

    assert await trim_acked(client, "s") == 300
    assert (await client.xrange("s", count=1))[0][0] == ids[300]  # the oldest pending survives
    lags = {g["name"]: g["lag"] for g in await client.xinfo_groups("s")}
    assert lags == {b"fast": 50, b"slow": 100}  # lag still known: nothing unread was cut
    claimed = await client.xautoclaim("s", "slow", "other", 0, count=100)
    assert len(claimed[1]) == 100 and claimed[2] == []  # every pending entry can still be reclaimed
    await client.aclose()


async def test_a_group_that_has_read_nothing_keeps_everything(redis_url):
    client = Redis.from_url(redis_url)
    await fill(client, 200)
    await client.xgroup_create("s", "done", id="0")
    await client.xgroup_create("s", "new", id="0")
    await read(client, "done", 200, ack=200)
    assert await trim_acked(client, "s") == 0
    assert await client.xlen("s") == 200
    await read(client, "new", 200, ack=200)
    assert await trim_acked(client, "s") == 200
    assert await client.xlen("s") == 0
    await client.aclose()


async def test_nothing_is_trimmed_until_every_declared_group_exists(redis_url):
    """A worker started after the others creates its group from 0: it must find everything."""
    client = Redis.from_url(redis_url)
    await fill(client, 100)
    await client.xgroup_create("s", "store", id="0")
    await read(client, "store", 100, ack=100)
    assert await trim_acked(client, "s", ("extract", "store")) == 0
    assert await client.xlen("s") == 100
    await client.xgroup_create("s", "extract", id="0")
    await read(client, "extract", 100, ack=100)
    assert await trim_acked(client, "s", ("extract", "store")) == 100
    await client.aclose()

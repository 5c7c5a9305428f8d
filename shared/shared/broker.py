"""Broker factory and consumer-group set-up on Redis streams."""

import logging

from faststream.redis import RedisBroker
from redis.asyncio import Redis
from redis.exceptions import ResponseError


def make_broker(redis_url: str) -> RedisBroker:
    # graceful_timeout: a handler in progress at shutdown gets this long to finish; if it
    # does not, its message stays pending and is reclaimed elsewhere.
    # FastStream logs through our handlers (JSON), not its own coloured console logger.
    return RedisBroker(redis_url, graceful_timeout=30, logger=logging.getLogger("councilwatch.broker"))


async def ensure_group(redis: Redis, stream: str, group: str) -> bool:
    """Create `group` on `stream` from the start of the stream; True if it was created.

    FastStream creates groups at `$`, which skips everything published before the first
    worker started (ag2ai/faststream#2694), so we create them at `0` ourselves.
    """
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" in str(exc):
            return False
        raise
    return True


async def group_exists(redis: Redis, stream: str, group: str) -> bool:
    try:
        groups = await redis.xinfo_groups(stream)
    except ResponseError:
        return False  # no such stream
    return any(_name(g) == group for g in groups)


def _name(group_info: dict) -> str:
    name = group_info.get("name") or group_info.get(b"name")
    return name.decode() if isinstance(name, bytes) else str(name)

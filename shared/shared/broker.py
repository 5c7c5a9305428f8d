"""Broker factory, consumer-group set-up, and the watchdog that restarts a service whose
group has gone."""

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable

from faststream.redis import RedisBroker
from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from shared.trimming import keep_trimmed

log = logging.getLogger(__name__)

# `councilwatch serve` exits with this code after the watchdog asked for a restart.
EXIT_GROUP_LOST = 3
_restart_reason: list[str] = []
# How to stop this process gracefully; `councilwatch serve` sets uvicorn's should_exit.
_shutdown_hooks: list[Callable[[], None]] = []


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


@contextlib.asynccontextmanager
async def consuming(broker: RedisBroker, redis: Redis, groups: list[tuple[str, str]],
                    group_check_s: float, trim_s: float = 10.0) -> AsyncIterator[None]:
    """For the life of the block: the groups exist, the broker runs, the groups are watched
    and the streams trimmed below what every group has acked."""
    for stream, group in groups:
        await ensure_group(redis, stream, group)
    streams = sorted({stream for stream, _ in groups})
    async with broker:
        await broker.start()
        tasks = [asyncio.create_task(watch_groups(redis, groups, group_check_s), name="group-watchdog"),
                 asyncio.create_task(keep_trimmed(redis, streams, trim_s), name="stream-trimmer")]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()


async def watch_groups(redis: Redis, groups: list[tuple[str, str]], interval_s: float) -> None:
    """Ask for a restart when one of this service's groups is gone.

    When a group disappears (XGROUP DESTROY, a FLUSHALL, a Redis that lost its data),
    FastStream stops the subscriber for good and says to restart the application; the
    process would otherwise idle with a passing liveness probe and never read again. So
    the service shuts down gracefully and exits with EXIT_GROUP_LOST; its supervisor
    (compose `restart:`, Kubernetes, `councilwatch run`) starts it again, and start-up
    recreates the group from the start of the stream. Handlers are idempotent, so what is
    read twice changes nothing. Readiness fails meanwhile, as the group check is part of it.
    """
    while True:
        await asyncio.sleep(interval_s)
        try:
            missing = [f"{s}/{g}" for s, g in groups if not await group_exists(redis, s, g)]
        except RedisError:
            continue  # Redis is down or restarting: the broker reconnects; not a lost group
        if missing:
            request_restart(f"consumer group(s) gone: {', '.join(missing)}")
            return


def on_restart_request(shutdown: Callable[[], None]) -> None:
    _shutdown_hooks.append(shutdown)


def request_restart(reason: str) -> None:
    log.critical("restarting the service: %s", reason, extra={"reason": reason})
    _restart_reason.append(reason)
    for shutdown in _shutdown_hooks:
        shutdown()
    if not _shutdown_hooks:  # another server runs the app: its SIGTERM handling stops it
        os.kill(os.getpid(), signal.SIGTERM)


def restart_requested() -> bool:
    return bool(_restart_reason)

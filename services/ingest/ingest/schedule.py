"""Runs each source's poll on its own interval, with jitter, for as long as ingest runs.

The next run time is stored, so a restart keeps to the schedule rather than polling again
at once (a crash loop must not become a request loop). A failed poll is logged and shown
by `/sources` and `/readyz` (warn); the next one comes at the usual time.
"""

import asyncio
import logging
import random
from datetime import timedelta

from ingest.monitor import Monitor
from ingest.state import now

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, monitor: Monitor, intervals_s: dict[str, float], *, jitter: float = 0.1,
                 first_delay_s: float = 1.0) -> None:
        self.monitor = monitor
        self.intervals_s = intervals_s
        self.jitter = jitter
        self.first_delay_s = first_delay_s

    async def run(self) -> None:
        await asyncio.gather(*(self._loop(name) for name in self.intervals_s))

    async def _loop(self, name: str) -> None:
        interval = self.intervals_s[name]
        status = await asyncio.to_thread(self.monitor.state.status, name)
        stored = status.get("next_run_at")
        delay = self.first_delay_s
        if stored is not None and status.get("last_run_at") is not None:
            delay = min(max((stored - now()).total_seconds(), self.first_delay_s), interval)
        while True:
            await asyncio.sleep(delay)
            try:
                await self.monitor.poll(name)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - recorded by the monitor; the schedule goes on
                log.warning("scheduled poll failed", extra={"source": name}, exc_info=True)
            delay = interval * random.uniform(1 - self.jitter, 1 + self.jitter)
            await asyncio.to_thread(self.monitor.state.set_status, name,
                                    next_run_at=now() + timedelta(seconds=delay))

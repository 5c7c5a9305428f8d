"""Sends the canary (shared.canary) down the pipeline on a timer, for as long as ingest runs."""

import asyncio
import logging

from ingest.intake import Intake

log = logging.getLogger(__name__)


async def send_canaries(intake: Intake, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await intake.publish_canary()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - Redis down: the store's canary alert tells; the timer goes on
            log.warning("canary not sent", exc_info=True)

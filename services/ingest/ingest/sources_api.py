"""What the monitors are doing: `GET /sources` and the per-source readiness checks.

A publisher that is down, or a network that is closed, never makes ingest unready (uploads
still work): its check is `warn`, with the last error, until a poll succeeds again.
"""

import asyncio
from typing import Any

from fastapi import APIRouter, Request

from ingest.monitor import LAST_SUCCESS
from ingest.state import State
from shared.health import Check

router = APIRouter()


def source_view(state: State, name: str) -> dict[str, Any]:
    status = state.status(name)
    return {
        "source": name,
        "initialized": bool(status.get("initialized")),
        "last_run_at": status.get("last_run_at"),
        "last_success_at": status.get("last_success_at"),
        "last_error": status.get("last_error"),
        "last_error_at": status.get("last_error_at"),
        "next_run_at": status.get("next_run_at"),
        "items_seen": status.get("items_seen", 0),
        "items_published": status.get("items_published", 0),
        "publications": state.counts(name),
        "note": status.get("note"),
    }


@router.get("/sources")
async def list_sources(request: Request) -> list[dict[str, Any]]:
    """Each watched publisher: last success, last error, next run, items seen and published."""
    state: State = request.app.state.watch_state
    return [await asyncio.to_thread(source_view, state, name) for name in request.app.state.monitor.sources]


async def source_checks(state: State, names: list[str]) -> dict[str, list[Check]]:
    checks: dict[str, list[Check]] = {}
    for name in names:
        view = await asyncio.to_thread(source_view, state, name)
        # Every poll sets or clears `last_error`, so it always speaks of the latest poll.
        failing = bool(view["last_error"])
        check: Check = {"componentType": "component", "status": "warn" if failing else "pass",
                        "time": view["last_success_at"].isoformat() if view["last_success_at"] else None}
        if failing:
            check["output"] = view["last_error"]
        checks[f"source:{name}"] = [check]
    return checks


async def refresh_source_gauges(state: State, names: list[str]) -> None:
    """Last success per source from the durable state, not this process's memory: after a
    restart the gauge still tells how long a publisher has gone unread, so a staleness
    alert neither resets nor goes silent while the process never succeeds."""
    for name in names:
        last_success = (await asyncio.to_thread(state.status, name)).get("last_success_at")
        if last_success:
            LAST_SUCCESS.labels(name).set(last_success.timestamp())

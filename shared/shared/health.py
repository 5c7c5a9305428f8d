"""Health endpoints (`/livez`, `/readyz`, `/startupz`) and `/metrics` for every service.

Responses are `application/health+json` as in draft-inadarei-api-health-check: a `status`
of pass|warn|fail and a `checks` object keyed `component:measurement`, each an array of
observations; 200 for pass/warn, 503 for fail. Liveness checks the process only, so a
broken dependency never causes a restart storm; readiness checks what the next message or
request needs.
"""

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from shared.blobs import DirectoryBlobStore
from shared.broker import group_exists
from shared.events import dead_letter_stream

Check = dict[str, Any]
ReadinessProbe = Callable[[], Awaitable[dict[str, list[Check]]]]

_ORDER = {"pass": 0, "warn": 1, "fail": 2}
STREAM_LENGTH = Gauge("councilwatch_stream_length", "Entries in a stream.", ["stream"])
STREAM_LAG = Gauge("councilwatch_stream_lag", "Entries a group has not read yet.", ["stream", "group"])
STREAM_PENDING = Gauge("councilwatch_stream_pending", "Entries read and not acknowledged.", ["stream", "group"])
DEAD_LETTERS = Gauge("councilwatch_dead_letters", "Entries in a stream's dead-letter stream.", ["stream"])
# Above these, readiness says `warn`: the service works, but someone should look.
WARN_LAG = 1000
WARN_PENDING = 100


def health_response(service: str, checks: dict[str, list[Check]] | None = None) -> JSONResponse:
    checks = checks or {}
    worst = max((c["status"] for obs in checks.values() for c in obs), key=_ORDER.get, default="pass")
    body: dict[str, Any] = {"status": worst, "serviceId": service}
    if checks:
        body["checks"] = checks
    return JSONResponse(
        body, status_code=503 if worst == "fail" else 200, media_type="application/health+json"
    )


async def timed(component_type: str, probe: Callable[[], Awaitable[Any]]) -> Check:
    """Run a dependency probe and report its response time, or its failure."""
    started = time.perf_counter()
    try:
        await probe()
    except Exception as exc:  # noqa: BLE001 - any failure of a dependency is a failed check
        return {"componentType": component_type, "status": "fail", "output": f"{type(exc).__name__}: {exc}"}
    return {
        "componentType": component_type,
        "observedValue": round((time.perf_counter() - started) * 1000, 1),
        "observedUnit": "ms",
        "status": "pass",
    }


async def redis_checks(redis: Redis, groups: list[tuple[str, str]], *, warn_lag: int = WARN_LAG,
                       warn_pending: int = WARN_PENDING) -> dict[str, list[Check]]:
    """Redis answers; each group exists (`fail` if not); lag, pending and dead letters are
    reported, and `warn` above their thresholds. Also sets the stream gauges."""
    checks = {"redis:responseTime": [await timed("datastore", redis.ping)]}
    if checks["redis:responseTime"][0]["status"] == "fail":
        return checks
    for stream in dict.fromkeys(s for s, _g in groups):
        STREAM_LENGTH.labels(stream).set(await _xlen(redis, stream))
        dead = await _xlen(redis, dead_letter_stream(stream))
        DEAD_LETTERS.labels(stream).set(dead)
        checks[f"{dead_letter_stream(stream)}:length"] = [{
            "componentType": "component", "observedValue": dead, "observedUnit": "messages",
            "status": "warn" if dead else "pass",
            **({"output": "dead letters wait: councilwatch dlq list"} if dead else {}),
        }]
    for stream, group in groups:
        present = await group_exists(redis, stream, group)
        check: Check = {"componentType": "component", "status": "pass" if present else "fail"}
        if present:
            info = next(g for g in await redis.xinfo_groups(stream) if _text(g["name"]) == group)
            lag, pending = int(info.get("lag") or 0), int(info["pending"])
            STREAM_LAG.labels(stream, group).set(lag)
            STREAM_PENDING.labels(stream, group).set(pending)
            check.update(observedValue=lag, observedUnit="messages", status="warn" if lag > warn_lag else "pass")
            checks[f"{stream}/{group}:pending"] = [{
                "componentType": "component", "observedValue": pending, "observedUnit": "messages",
                "status": "warn" if pending > warn_pending else "pass"}]
        else:
            check["output"] = f"consumer group {group!r} missing on stream {stream!r}"
        checks[f"{stream}/{group}:lag"] = [check]
    return checks


async def _xlen(redis: Redis, stream: str) -> int:
    try:
        return int(await redis.xlen(stream))
    except ResponseError:
        return 0


async def blob_check(blobs: DirectoryBlobStore) -> dict[str, list[Check]]:
    async def probe() -> None:
        if not blobs.healthy():
            raise OSError(f"blob directory {blobs.root} is not writable")

    return {"blobs:writable": [await timed("datastore", probe)]}


def add_health_routes(
    app: FastAPI, service: str, readiness: ReadinessProbe, started: Callable[[], bool],
    refresh_metrics: Callable[[], Awaitable[Any]] | None = None,
) -> None:
    """`refresh_metrics` runs before `/metrics` answers (gauges read from Redis, say)."""
    @app.get("/livez", include_in_schema=False)
    async def livez() -> JSONResponse:
        return health_response(service)

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        if not started():
            return health_response(service, {"startup": [{"status": "fail", "output": "starting"}]})
        return health_response(service, await readiness())

    @app.get("/startupz", include_in_schema=False)
    async def startupz() -> JSONResponse:
        status = "pass" if started() else "fail"
        return health_response(service, {"startup": [{"componentType": "system", "status": status}]})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        if refresh_metrics is not None and started():
            try:
                await refresh_metrics()
            except Exception:  # noqa: BLE001, S110 - metrics still answer with what they have
                pass
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)

"""The ingest process: HTTP intake and the publisher monitors on their schedule."""

import asyncio
import contextlib
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ingest.canary import send_canaries
from ingest.intake import Intake
from ingest.publishers import intervals, make_monitor
from ingest.routes import router
from ingest.schedule import Scheduler
from ingest.settings import IngestSettings
from ingest.sources_api import refresh_source_gauges, source_checks
from ingest.sources_api import router as sources_router
from ingest.state import State
from shared.blobs import DirectoryBlobStore
from shared.broker import make_broker
from shared.health import add_health_routes, blob_check, redis_checks
from shared.log import configure_logging


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()
    configure_logging("ingest", settings.LOG_LEVEL, settings.LOG_JSON)
    blobs = DirectoryBlobStore(settings.blob_dir)
    broker = make_broker(settings.REDIS_URL)
    state = {"started": False}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        redis = Redis.from_url(settings.REDIS_URL)
        watch_state = State(settings.INGEST_DATABASE_URL)
        async with broker:
            await broker.start()
            app.state.redis = redis
            app.state.intake = Intake(
                blobs, redis, broker, claim_ttl_s=settings.INGEST_CLAIM_TTL_S,
                stream_maxlen=settings.STREAM_MAXLEN,
            )
            app.state.watch_state = watch_state
            app.state.monitor = make_monitor(settings, app.state.intake, watch_state)
            scheduler = None
            if settings.INGEST_SCHEDULE_ENABLED and app.state.monitor.sources:
                scheduler = asyncio.create_task(
                    Scheduler(app.state.monitor, intervals(settings), jitter=settings.INGEST_JITTER).run(),
                    name="publisher-schedule",
                )
            background = [scheduler] if scheduler is not None else []
            if settings.CANARY_INTERVAL_S > 0:
                background.append(asyncio.create_task(
                    send_canaries(app.state.intake, settings.CANARY_INTERVAL_S), name="canary"))
            state["started"] = True
            yield
            for task in background:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await app.state.monitor.client.aclose()
        watch_state.close()
        await redis.aclose()

    app = FastAPI(title="CouncilWatch ingest", lifespan=lifespan)
    app.state.settings = settings
    app.include_router(router)
    app.include_router(sources_router)

    @app.exception_handler(RedisError)
    async def redis_refused(_request: Request, exc: RedisError) -> JSONResponse:
        # Redis down, restarting, or full (OOM under maxmemory noeviction): nothing was
        # published, so the caller (an upload, a publisher poll) must simply try again.
        return JSONResponse({"detail": f"the stream is unavailable; try again: {exc}"[:500]}, status_code=503,
                            headers={"retry-after": "5"})

    async def readiness():
        checks = await redis_checks(app.state.redis, []) | await blob_check(blobs)
        return checks | await source_checks(app.state.watch_state, list(app.state.monitor.sources))

    add_health_routes(app, "ingest", readiness, lambda: state["started"],
                      refresh_metrics=lambda: refresh_source_gauges(app.state.watch_state,
                                                                    list(app.state.monitor.sources)))
    return app

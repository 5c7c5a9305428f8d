"""The ingest process: HTTP intake (and, later, the publisher monitors)."""

from contextlib import asynccontextmanager

from fastapi import FastAPI
from redis.asyncio import Redis

from ingest.intake import Intake
from ingest.routes import router
from ingest.settings import IngestSettings
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
        async with broker:
            await broker.start()
            app.state.redis = redis
            app.state.intake = Intake(
                blobs, redis, broker, claim_ttl_s=settings.INGEST_CLAIM_TTL_S,
                stream_maxlen=settings.STREAM_MAXLEN,
            )
            state["started"] = True
            yield
        await redis.aclose()

    app = FastAPI(title="CouncilWatch ingest", lifespan=lifespan)
    app.state.settings = settings
    app.include_router(router)

    async def readiness():
        return await redis_checks(app.state.redis, []) | await blob_check(blobs)

    add_health_routes(app, "ingest", readiness, lambda: state["started"])
    return app

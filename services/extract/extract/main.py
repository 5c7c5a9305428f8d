"""The extract process: a consumer-group worker on documents.fetched, plus health/metrics."""

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI
from redis.asyncio import Redis

from extract.sandbox import Sandbox
from extract.settings import ExtractSettings
from extract.worker import Extractor
from shared.blobs import DirectoryBlobStore
from shared.broker import consuming, make_broker
from shared.consumer import ReliableConsumer
from shared.events import DOCUMENTS_EXTRACTED, DOCUMENTS_FETCHED, EXTRACT_GROUP, DocumentFetched
from shared.health import add_health_routes, blob_check, redis_checks
from shared.log import configure_logging


def create_app(settings: ExtractSettings | None = None) -> FastAPI:
    settings = settings or ExtractSettings()
    configure_logging("extract", settings.LOG_LEVEL, settings.LOG_JSON)
    blobs = DirectoryBlobStore(settings.blob_dir)
    sandbox = Sandbox(settings.EXTRACT_MEMORY_LIMIT_MB, settings.EXTRACT_TIMEOUT_S, settings.EXTRACT_MAX_PAGES)
    extractor = Extractor(blobs, sandbox, settings.EXTRACT_MAX_BYTES)
    broker = make_broker(settings.REDIS_URL)
    ReliableConsumer(
        broker=broker, stream=DOCUMENTS_FETCHED, group=EXTRACT_GROUP, model=DocumentFetched,
        handle=extractor.on_document_fetched, out_stream=DOCUMENTS_EXTRACTED,
        consumer=settings.CONSUMER_NAME or "", claim_idle_ms=settings.CLAIM_IDLE_MS,
        max_deliveries=settings.MAX_DELIVERIES, stream_maxlen=settings.STREAM_MAXLEN,
        give_up=extractor.gave_up,
    )
    state = {"started": False}
    groups = [(DOCUMENTS_FETCHED, EXTRACT_GROUP)]

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        redis = Redis.from_url(settings.REDIS_URL)
        app.state.redis = redis
        async with consuming(broker, redis, groups, settings.GROUP_CHECK_S, settings.STREAM_TRIM_S):
            state["started"] = True
            logging.getLogger(__name__).info("extract worker started")
            yield
        sandbox.close()
        await redis.aclose()

    app = FastAPI(title="CouncilWatch extract", lifespan=lifespan)

    async def readiness():
        return await redis_checks(app.state.redis, groups) | await blob_check(blobs)

    add_health_routes(app, "extract", readiness, lambda: state["started"],
                      refresh_metrics=lambda: redis_checks(app.state.redis, groups))
    return app


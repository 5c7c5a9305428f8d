"""The store process: consumers of both streams, the webhook dispatcher and the HTTP API."""

import asyncio
import contextlib
from contextlib import asynccontextmanager

from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import text

from shared.broker import consuming, make_broker
from shared.consumer import ReliableConsumer
from shared.events import (
    DOCUMENTS_EXTRACTED,
    DOCUMENTS_FETCHED,
    SIGNALS_OBSERVED,
    STORE_GROUP,
    DocumentExtracted,
    DocumentFetched,
    SignalObserved,
)
from shared.health import add_health_routes, redis_checks, timed
from shared.log import configure_logging
from store.api import router
from store.canary import canary_gauges
from store.consumers import StoreConsumers
from store.db import make_engine, migrate
from store.feeds import router as feeds_router
from store.settings import StoreSettings
from store.subscriptions_api import router as subscriptions_router
from store.webhooks import Dispatcher, delivery_gauges

GROUPS = [(DOCUMENTS_FETCHED, STORE_GROUP), (DOCUMENTS_EXTRACTED, STORE_GROUP), (SIGNALS_OBSERVED, STORE_GROUP)]


def create_app(settings: StoreSettings | None = None) -> FastAPI:
    settings = settings or StoreSettings()
    configure_logging("store", settings.LOG_LEVEL, settings.LOG_JSON)
    engine = make_engine(settings.DATABASE_URL)
    dispatcher = Dispatcher(engine, settings)
    consumers = StoreConsumers(engine, settings.PUBLIC_BASE_URL, dispatcher.wake)
    broker = make_broker(settings.REDIS_URL)
    common = dict(
        broker=broker, group=STORE_GROUP, consumer=settings.CONSUMER_NAME or "",
        claim_idle_ms=settings.CLAIM_IDLE_MS, max_deliveries=settings.MAX_DELIVERIES,
    )
    ReliableConsumer(stream=DOCUMENTS_FETCHED, model=DocumentFetched, handle=consumers.on_document_fetched, **common)
    ReliableConsumer(stream=DOCUMENTS_EXTRACTED, model=DocumentExtracted, handle=consumers.on_document_extracted,
                     **common)
    ReliableConsumer(stream=SIGNALS_OBSERVED, model=SignalObserved, handle=consumers.on_signal_observed, **common)
    state = {"started": False}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.STORE_MIGRATE_ON_START:
            await asyncio.to_thread(migrate, settings.DATABASE_URL)
        redis = Redis.from_url(settings.REDIS_URL)
        app.state.redis = redis
        async with consuming(broker, redis, GROUPS, settings.GROUP_CHECK_S, settings.STREAM_TRIM_S):
            task = None
            if settings.WEBHOOK_DISPATCH_ENABLED:
                task = asyncio.create_task(dispatcher.run(), name="webhook-dispatcher")
            state["started"] = True
            yield
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await dispatcher.close()
        await redis.aclose()
        engine.dispose()

    app = FastAPI(title="CouncilWatch store", lifespan=lifespan, description=(
        "Council histories, the change feed, subscriptions and signed webhooks (Standard Webhooks v1)."))
    app.state.settings = settings
    app.state.engine = engine
    app.state.dispatcher = dispatcher
    app.include_router(router)
    app.include_router(subscriptions_router)
    app.include_router(feeds_router)

    async def readiness():
        checks = await redis_checks(app.state.redis, GROUPS)

        async def db_probe() -> None:
            def select_one() -> None:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
            await asyncio.to_thread(select_one)

        checks["database:responseTime"] = [await timed("datastore", db_probe)]
        return checks

    async def refresh_metrics() -> None:
        await redis_checks(app.state.redis, GROUPS)
        await asyncio.to_thread(delivery_gauges, engine)
        await asyncio.to_thread(canary_gauges, engine)

    add_health_routes(app, "store", readiness, lambda: state["started"], refresh_metrics=refresh_metrics)
    return app

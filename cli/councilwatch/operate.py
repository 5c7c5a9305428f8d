"""`councilwatch dlq list|show|redrive` and `councilwatch status`: what an operator needs
when something went wrong.

Dead letters live in `<stream>.dead` with the reason, the delivery count and the original
event. Redrive puts the event back on its stream (through the broker, in the same format
the services publish) and only then deletes the dead letter: a crash in between leaves a
duplicate event, which every handler absorbs, never a lost one.
"""

import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import Any

import redis

from shared.events import DOCUMENTS_EXTRACTED, DOCUMENTS_FETCHED, SIGNALS_OBSERVED, dead_letter_stream
from shared.settings import BaseServiceSettings
from shared.trace import HEADER

STREAMS = [DOCUMENTS_FETCHED, DOCUMENTS_EXTRACTED, SIGNALS_OBSERVED]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _dead_letters(client: redis.Redis) -> list[tuple[str, str, dict[str, str]]]:
    out = []
    for stream in STREAMS:
        for entry_id, fields in client.xrange(dead_letter_stream(stream)):
            out.append((stream, _text(entry_id), {_text(k): _text(v) for k, v in fields.items()}))
    return out


def cmd_dlq(action: str, entry: str | None, redrive_all: bool) -> int:
    settings = BaseServiceSettings()
    client = redis.Redis.from_url(settings.REDIS_URL)
    letters = _dead_letters(client)
    if action == "list":
        if not letters:
            print("no dead letters")
            return 0
        print(f"{'dead letter id':<18} {'stream':<20} {'code':<16} {'deliveries':>10}  reason")
        for stream, entry_id, fields in letters:
            print(f"{entry_id:<18} {stream:<20} {fields.get('code', ''):<16} {fields.get('deliveries', ''):>10}  "
                  f"{fields.get('reason', '')[:90]}")
        return 0
    chosen = letters if redrive_all and action == "redrive" else [x for x in letters if x[1] == entry]
    if not chosen:
        print(f"no dead letter {entry!r}; see councilwatch dlq list", file=sys.stderr)
        return 1
    if action == "show":
        stream, entry_id, fields = chosen[0]
        body = fields.pop("body", "")
        print(json.dumps({"id": entry_id, **fields}, indent=2))
        try:
            print(json.dumps(json.loads(body), indent=2))
        except ValueError:
            print(body)
        return 0
    asyncio.run(_redrive(settings.REDIS_URL, chosen))
    for stream, entry_id, _fields in chosen:
        print(f"redriven {entry_id} to {stream}")
    return 0


async def _redrive(url: str, letters: list[tuple[str, str, dict[str, str]]]) -> None:
    from redis.asyncio import Redis

    from shared.broker import make_broker

    broker = make_broker(url)
    client = Redis.from_url(url)
    async with broker:
        await broker.start()
        for stream, entry_id, fields in letters:
            headers = {HEADER: fields[HEADER]} if fields.get(HEADER) else None
            await broker.publish(json.loads(fields["body"]), stream=stream, headers=headers)
            await client.xdel(dead_letter_stream(stream), entry_id)
    await client.aclose()


def cmd_status() -> int:
    """The pipeline at a glance: streams, groups, dead letters, sources, documents, webhooks."""
    settings = BaseServiceSettings()
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
        print(f"redis {settings.REDIS_URL}: up")
        for stream in STREAMS:
            info = client.xinfo_stream(stream) if client.exists(stream) else {"length": 0, "entries-added": 0}
            dead = client.xlen(dead_letter_stream(stream)) if client.exists(dead_letter_stream(stream)) else 0
            groups = client.xinfo_groups(stream) if client.exists(stream) else []
            described = ", ".join(f"{_text(g['name'])}: lag {g.get('lag') or 0}, pending {g['pending']}"
                                  for g in groups)
            # Length is what is still unfinished (acked entries are trimmed); added is the total.
            print(f"  {stream:<20} {info['length']:>7} held {info['entries-added']:>8} added  {dead:>4} dead  "
                  f"{described or 'no groups yet'}")
    except redis.RedisError as exc:
        print(f"redis {settings.REDIS_URL}: DOWN ({exc})")
    _store_status()
    from councilwatch.watch import cmd_sources_status

    print("sources:")
    cmd_sources_status()
    return 0


def _store_status() -> None:
    from sqlalchemy import func
    from sqlmodel import Session, select

    from store.canary import last_canary
    from store.db import make_engine
    from store.models import Delivery, Document
    from store.webhooks import delivery_backlog

    class DatabaseSetting(BaseServiceSettings):
        # Only where the store's database is; the store's other settings (its admin key)
        # are not needed to read it.
        DATABASE_URL: str = ""

    settings = DatabaseSetting()
    try:
        engine = make_engine(settings.DATABASE_URL or f"sqlite:///{settings.VAR_DIR / 'councilwatch.db'}")
        with Session(engine) as session:
            docs = dict(session.exec(select(Document.status, func.count()).group_by(Document.status)).all())
            deliveries = dict(session.exec(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
            backlog = delivery_backlog(session)
            canary = last_canary(session)
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - status reports what it can reach
        print(f"database: DOWN or not set up ({type(exc).__name__}: {exc})")
        return
    print(f"documents: {', '.join(f'{k} {v}' for k, v in sorted(docs.items())) or 'none'}")
    overdue = f" (the oldest due {backlog['overdue_s']:.0f} s ago)" if backlog["overdue_s"] >= 60 else ""
    print(f"webhook deliveries: {', '.join(f'{k} {v}' for k, v in sorted(deliveries.items())) or 'none'}{overdue}; "
          f"subscriptions: {', '.join(f'{n} {state}' for state, n in backlog['endpoints'].items())}")
    print(f"canary: {_canary_line(canary)}")


def _canary_line(run) -> str:  # noqa: ANN001
    from store.db import as_utc

    if run is None:
        return "none received yet (ingest sends one every CANARY_INTERVAL_S)"
    ago = (datetime.now(UTC) - as_utc(run.completed_at)).total_seconds()
    took = ""
    if run.sent_at:
        took = f", {(as_utc(run.completed_at) - as_utc(run.sent_at)).total_seconds():.1f} s end to end"
    verdict = "ok" if run.ok else f"WRONG ({run.problem})"
    return f"last came through {ago:.0f} s ago{took}: {verdict}"

"""The monitors' durable state: which publications were seen and published, HTTP
validators per URL, signals, and each source's status and cursor. Its own small database
(SQLite under var/ by default, PostgreSQL by `INGEST_DATABASE_URL`), so a restart resumes
where the last poll stopped and publishes nothing twice.

A publication's `status`:
    seen       known, not published (seeded on a first run, or older than a backfill's --since)
    published  on the stream (`document_id`, `sha256`, `version` say which bytes)
    failed     the last fetch failed; retried on the next poll until `attempts` reaches the cap
    refused    never fetched: not allow-listed or disallowed by robots.txt
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine

metadata = MetaData()

publications = Table(
    "publication", metadata,
    Column("source", String(16), primary_key=True),
    Column("key", String(300), primary_key=True),  # stable id at the source: "file:50298056"
    Column("url", String(2000), nullable=False),
    Column("label", String(500)),
    Column("media_type", String(40)),
    Column("published", Date),
    Column("council_gss", String(12)),
    Column("status", String(12), nullable=False),
    Column("sha256", String(64)),
    Column("document_id", String(64)),
    # How many different contents were published under this key (a CQC page is updated).
    Column("version", Integer, nullable=False, default=0),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(2000)),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("checked_at", DateTime(timezone=True)),
)

http_cache = Table(
    "http_cache", metadata,
    Column("url", String(2000), primary_key=True),
    Column("etag", String(500)),
    Column("last_modified", String(100)),
    Column("fetched_at", DateTime(timezone=True)),
)

signals = Table(
    "signal", metadata,
    # "cqc:assessment.started:E10000015:2026-11-24": one per entry into the list.
    Column("id", String(200), primary_key=True),
    Column("source", String(16), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("council_gss", String(12)),
    Column("detail", String(500)),
    # Still on the publisher's list; a council that leaves and comes back is a new signal.
    Column("active", Boolean, nullable=False, default=True),
    Column("published", Boolean, nullable=False, default=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
)

source_status = Table(
    "source_status", metadata,
    Column("source", String(16), primary_key=True),
    Column("initialized", Boolean, nullable=False, default=False),
    Column("last_run_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error", String(2000)),
    Column("last_error_at", DateTime(timezone=True)),
    Column("next_run_at", DateTime(timezone=True)),
    Column("items_seen", Integer, nullable=False, default=0),
    Column("items_published", Integer, nullable=False, default=0),
    # Where an incremental listing stopped (the CQC API's last change window, say).
    Column("cursor", JSON),
    Column("note", String(500)),
)


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without a zone; they are stored in UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@dataclass
class Known:
    status: str
    sha256: str | None
    document_id: str | None
    checked_at: datetime | None
    attempts: int
    version: int


class State:
    def __init__(self, url: str) -> None:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

            @event.listens_for(self.engine, "connect")
            def _wal(conn, _record) -> None:  # noqa: ANN001
                conn.execute("PRAGMA journal_mode=WAL")

        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        # A handful of tables private to ingest, created in place: nothing else reads them,
        # and a lost state database costs one silent re-seed, never a duplicate webhook
        # (intake and store dedupe by content).
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # --- publications ---
    def known(self, source: str, key: str) -> Known | None:
        with self.engine.connect() as c:
            row = c.execute(select(
                publications.c.status, publications.c.sha256, publications.c.document_id,
                publications.c.checked_at, publications.c.attempts, publications.c.version,
            ).where(publications.c.source == source, publications.c.key == key)).first()
        return Known(row[0], row[1], row[2], as_utc(row[3]), row[4], row[5]) if row else None

    def record(self, source: str, key: str, *, url: str, status: str, label: str | None = None,
               media_type: str | None = None, published: date | None = None, council_gss: str | None = None,
               sha256: str | None = None, document_id: str | None = None, new_version: bool = False,
               error: str | None = None) -> None:
        values: dict[str, Any] = {"url": url, "status": status, "checked_at": now(),
                                  "last_error": error[:2000] if error else None}
        for name, value in (("label", label and label[:500]), ("media_type", media_type), ("published", published),
                            ("council_gss", council_gss), ("sha256", sha256), ("document_id", document_id)):
            if value is not None:
                values[name] = value
        with self.engine.begin() as c:
            row = c.execute(select(publications.c.attempts, publications.c.version).where(
                publications.c.source == source, publications.c.key == key)).first()
            if row is None:
                c.execute(insert(publications).values(
                    source=source, key=key, first_seen_at=now(), attempts=1 if error else 0,
                    version=1 if new_version else 0, **values))
            else:
                values["attempts"] = row[0] + 1 if error else 0
                if new_version:
                    values["version"] = row[1] + 1
                c.execute(update(publications).where(publications.c.source == source,
                                                     publications.c.key == key).values(**values))

    def counts(self, source: str) -> dict[str, int]:
        with self.engine.connect() as c:
            rows = c.execute(select(publications.c.status).where(publications.c.source == source)).all()
        out: dict[str, int] = {}
        for (status,) in rows:
            out[status] = out.get(status, 0) + 1
        return out

    def rows(self, source: str) -> list[dict[str, Any]]:
        with self.engine.connect() as c:
            result = c.execute(select(publications).where(publications.c.source == source)
                               .order_by(publications.c.key)).mappings()
            return [dict(r) for r in result]

    # --- HTTP validators ---
    def validators(self, url: str) -> tuple[str | None, str | None]:
        with self.engine.connect() as c:
            row = c.execute(select(http_cache.c.etag, http_cache.c.last_modified)
                            .where(http_cache.c.url == url)).first()
        return (row[0], row[1]) if row else (None, None)

    def remember_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        if not etag and not last_modified:
            return
        values = {"etag": etag, "last_modified": last_modified, "fetched_at": now()}
        with self.engine.begin() as c:
            if c.execute(select(http_cache.c.url).where(http_cache.c.url == url)).first():
                c.execute(update(http_cache).where(http_cache.c.url == url).values(**values))
            else:
                c.execute(insert(http_cache).values(url=url, **values))

    # --- signals ---
    def active_signal(self, source: str, kind: str, council_gss: str) -> dict[str, Any] | None:
        with self.engine.connect() as c:
            row = c.execute(select(signals).where(
                signals.c.source == source, signals.c.kind == kind, signals.c.council_gss == council_gss,
                signals.c.active == True)).mappings().first()  # noqa: E712
        return dict(row) if row else None

    def add_signal(self, signal_id: str, source: str, kind: str, council_gss: str, detail: str,
                   published: bool) -> None:
        with self.engine.begin() as c:
            if c.execute(select(signals.c.id).where(signals.c.id == signal_id)).first():
                c.execute(update(signals).where(signals.c.id == signal_id).values(active=True, published=published))
            else:
                c.execute(insert(signals).values(id=signal_id, source=source, kind=kind, council_gss=council_gss,
                                                 detail=detail[:500], active=True, published=published,
                                                 first_seen_at=now()))

    def retire_signals(self, source: str, kind: str, still_listed: set[str]) -> int:
        """Signals of councils no longer on the list become inactive; returns how many."""
        with self.engine.begin() as c:
            rows = c.execute(select(signals.c.id, signals.c.council_gss).where(
                signals.c.source == source, signals.c.kind == kind, signals.c.active == True)).all()  # noqa: E712
            gone = [r[0] for r in rows if r[1] not in still_listed]
            if gone:
                c.execute(update(signals).where(signals.c.id.in_(gone)).values(active=False))
        return len(gone)

    # --- source status ---
    def status(self, source: str) -> dict[str, Any]:
        with self.engine.connect() as c:
            row = c.execute(select(source_status).where(source_status.c.source == source)).mappings().first()
        if row is None:
            return {"source": source, "initialized": False, "items_seen": 0, "items_published": 0, "cursor": None}
        return {k: as_utc(v) if isinstance(v, datetime) else v for k, v in dict(row).items()}

    def set_status(self, source: str, **values: Any) -> None:
        with self.engine.begin() as c:
            if c.execute(select(source_status.c.source).where(source_status.c.source == source)).first():
                c.execute(update(source_status).where(source_status.c.source == source).values(**values))
            else:
                c.execute(insert(source_status).values(source=source, **{"initialized": False, **values}))

    def add_counts(self, source: str, seen: int, published: int) -> None:
        with self.engine.begin() as c:
            if not c.execute(select(source_status.c.source).where(source_status.c.source == source)).first():
                c.execute(insert(source_status).values(source=source, initialized=False))
            c.execute(update(source_status).where(source_status.c.source == source).values(
                items_seen=source_status.c.items_seen + seen,
                items_published=source_status.c.items_published + published))

"""Tables. Unique keys make every consumer idempotent: a redelivered message hits them."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.events import utcnow


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), **kw))


class Document(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    sha256: str = Field(index=True, max_length=64)
    status: str = Field(max_length=16)  # fetched | extracted | failed
    source: str | None = Field(default=None, max_length=16)
    source_url: str | None = Field(default=None, max_length=2000)
    filename: str | None = Field(default=None, max_length=500)
    document_type: str | None = Field(default=None, max_length=40)
    council_gss: str | None = Field(default=None, index=True, max_length=12)
    council_name: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=500)
    published: date | None = None
    inspection_start: date | None = None
    inspection_end: date | None = None
    error_code: str | None = Field(default=None, max_length=40)
    findings: dict | None = Field(default=None, sa_column=Column(JSON))
    fetched_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    extracted_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime = _ts(nullable=False)


class Finding(SQLModel, table=True):
    """One graded judgement, score or improvement point of a document, with its page."""

    __table_args__ = (UniqueConstraint("document_id", "kind", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="document.id", index=True, max_length=64)
    kind: str = Field(max_length=16)  # judgement | score | improvement
    key: str = Field(max_length=80)
    value: str
    page: int | None = None


class Subscriber(SQLModel, table=True):
    """A council team or analyst with an API key; it sees only its own subscriptions."""

    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    # sha256 of the key: keys are 32 random bytes, so a fast hash is enough, and the key
    # itself is shown once and never stored.
    key_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = _ts(nullable=False)


class Subscription(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=40)
    url: str = Field(max_length=2000)
    # Filters; an empty list means "all".
    councils: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    event_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    regions: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sources: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    document_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    description: str | None = Field(default=None, max_length=500)
    secret: str = Field(max_length=100)
    # After a rotation the old secret also signs until it expires (24 h overlap).
    previous_secret: str | None = Field(default=None, max_length=100)
    previous_secret_expires_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    owner: str = Field(max_length=40, index=True)  # a subscriber id, or "admin"
    active: bool = True
    disabled_reason: str | None = Field(default=None, max_length=500)
    disabled_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    # First failed attempt since the last success; disabled when it is 5 days old.
    failing_since: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    # When the owner was told `endpoint.failing`; the next success sends `endpoint.recovered`.
    failing_notified_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_success_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime = _ts(nullable=False)


class Event(SQLModel, table=True):
    """A change worth telling subscribers about; derived once (`dedupe_key` is unique)."""

    id: str = Field(primary_key=True, max_length=40)  # msg_…: the webhook-id
    type: str = Field(max_length=60, index=True)
    dedupe_key: str = Field(unique=True, max_length=200)
    document_id: str | None = Field(default=None, foreign_key="document.id", max_length=64)
    council_gss: str | None = Field(default=None, max_length=12, index=True)
    source: str | None = Field(default=None, max_length=16)
    document_type: str | None = Field(default=None, max_length=40)
    payload: dict = Field(sa_column=Column(JSON, nullable=False))
    # The W3C trace context of the message that caused it; its webhooks continue the trace.
    traceparent: str | None = Field(default=None, max_length=55)
    created_at: datetime = _ts(nullable=False, index=True)


class Delivery(SQLModel, table=True):
    """The outbox: one row per (event, subscription), written with the event."""

    __table_args__ = (UniqueConstraint("event_id", "subscription_id"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(foreign_key="event.id", index=True, max_length=40)
    subscription_id: str = Field(foreign_key="subscription.id", index=True, max_length=40)
    status: str = Field(default="pending", max_length=16, index=True)  # pending|succeeded|failed
    attempts: int = 0
    # A replay by hand: one attempt, not rescheduled if it fails (as Svix does).
    manual: bool = False
    next_attempt_at: datetime = _ts(nullable=False, index=True)
    last_status_code: int | None = None
    created_at: datetime = _ts(nullable=False)


class DeliveryAttempt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id", index=True)
    attempted_at: datetime = _ts(nullable=False)
    status_code: int | None = None
    duration_ms: float
    response_body: str | None = None
    error: str | None = None
    next_attempt_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class CanaryRun(SQLModel, table=True):
    """One round of the end-to-end canary (shared.canary) as the store received it; kept a week."""

    id: str = Field(primary_key=True, max_length=64)  # the canary's document id
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    completed_at: datetime = _ts(nullable=False, index=True)
    ok: bool
    problem: str | None = Field(default=None, max_length=500)

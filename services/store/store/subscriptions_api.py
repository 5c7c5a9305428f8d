"""Subscribers, subscriptions and their delivery logs.

Operators (the admin key) create subscribers and see everything; a subscriber, with its
own API key (shown once, stored hashed), sees and manages only its own subscriptions.
A new subscription gets a `ping` at once; its secret can be rotated, and both secrets sign
for 24 hours; a disabled one is re-enabled with a PATCH; failed deliveries are replayed
with their original `webhook-id`.
"""

import secrets
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field, HttpUrl
from sqlalchemy import delete, update
from sqlmodel import Session, select

from shared.councils import default_register
from shared.events import utcnow
from store import crud
from store.api import AdminDep, CallerDep, SessionDep, key_hash
from store.changes import EVENT_TYPES, PING, direct_event
from store.db import as_utc
from store.models import Delivery, DeliveryAttempt, Event, Subscriber, Subscription
from store.signing import new_secret
from store.urlguard import UnsafeURL, check_url

router = APIRouter(tags=["subscriptions"])
SOURCES = ["ofsted", "cqc", "lga"]
DOCUMENT_TYPES = [
    "ilacs_inspection", "ilacs_focused_visit", "ilacs_monitoring_visit", "jtai", "area_send_inspection",
    "cqc_la_assessment", "cqc_location_report", "lga_peer_challenge", "lga_case_study", "unknown",
]


# --- subscribers ---
class SubscriberIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)


@router.post("/subscribers", status_code=201)
def create_subscriber(body: SubscriberIn, session: SessionDep, _admin: AdminDep) -> dict[str, Any]:
    """A subscriber and its API key. The key is shown here once and stored only hashed."""
    key = "cwk_" + secrets.token_urlsafe(32)
    subscriber = Subscriber(id=f"sbr_{secrets.token_hex(8)}", name=body.name, key_hash=key_hash(key))
    session.add(subscriber)
    session.commit()
    return {"id": subscriber.id, "name": subscriber.name, "api_key": key}


@router.get("/subscribers")
def list_subscribers(session: SessionDep, _admin: AdminDep) -> list[dict[str, Any]]:
    return [{"id": s.id, "name": s.name, "created_at": as_utc(s.created_at)}
            for s in session.exec(select(Subscriber).order_by(Subscriber.created_at)).all()]


# --- subscriptions ---
class Filters(BaseModel):
    councils: list[str] | None = Field(default=None, max_length=500, description="GSS codes; empty: all")
    regions: list[str] | None = Field(default=None, max_length=20)
    sources: list[str] | None = Field(default=None, max_length=3)
    document_types: list[str] | None = Field(default=None, max_length=20)
    event_types: list[str] | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=500)


class SubscriptionIn(Filters):
    url: str = Field(max_length=2000)


class SubscriptionPatch(Filters):
    url: str | None = Field(default=None, max_length=2000)
    active: bool | None = Field(default=None, description="true re-enables a disabled endpoint")


def subscription_view(sub: Subscription) -> dict[str, Any]:
    return {
        "id": sub.id, "url": sub.url, "owner": sub.owner, "description": sub.description,
        "councils": sub.councils, "regions": sub.regions, "sources": sub.sources,
        "document_types": sub.document_types, "event_types": sub.event_types,
        "active": sub.active, "disabled_reason": sub.disabled_reason, "disabled_at": as_utc(sub.disabled_at),
        "failing_since": as_utc(sub.failing_since), "last_success_at": as_utc(sub.last_success_at),
        "previous_secret_expires_at": as_utc(sub.previous_secret_expires_at), "created_at": as_utc(sub.created_at),
    }


def validate_filters(body: Filters) -> None:
    register = default_register()
    problems = []
    if body.councils and (unknown := [c for c in body.councils if c not in register.by_gss]):
        problems.append(f"unknown council GSS codes: {', '.join(unknown)}")
    regions = {r.region for r in register.records}
    if body.regions and (unknown := [r for r in body.regions if r not in regions]):
        problems.append(f"unknown regions: {', '.join(unknown)} (known: {', '.join(sorted(regions))})")
    for name, allowed in (("sources", SOURCES), ("document_types", DOCUMENT_TYPES), ("event_types", EVENT_TYPES)):
        if (unknown := [v for v in getattr(body, name) or [] if v not in allowed]):
            problems.append(f"unknown {name}: {', '.join(unknown)} (known: {', '.join(allowed)})")
    if problems:
        raise HTTPException(422, "; ".join(problems))


async def checked_url(request: Request, url: str) -> str:
    """The SSRF guard, at registration (and again at every send)."""
    try:
        HttpUrl(url)
        await check_url(url, allow_private=request.app.state.settings.WEBHOOK_ALLOW_PRIVATE)
    except (UnsafeURL, ValueError) as exc:
        raise HTTPException(422, f"url refused: {exc}") from exc
    return url


def owned(session: Session, subscription_id: str, caller: Any) -> Subscription:
    sub = session.get(Subscription, subscription_id)
    if sub is None or (not caller.admin and sub.owner != caller.id):
        raise HTTPException(404, "no such subscription")
    return sub


def ping(session: Session, sub: Subscription, reason: str) -> Event:
    event = direct_event(PING, f"{PING}:{sub.id}:{secrets.token_hex(6)}", {
        "subscription_id": sub.id, "reason": reason, "message": "CouncilWatch can reach this endpoint.",
    })
    crud.queue_direct(session, event, [sub])
    return event


@router.post("/subscriptions", status_code=201)
async def create_subscription(body: SubscriptionIn, request: Request, session: SessionDep,
                              caller: CallerDep) -> dict[str, Any]:
    """Subscribe a webhook URL; the response carries the signing secret (`whsec_...`)."""
    validate_filters(body)
    await checked_url(request, body.url)
    sub = Subscription(
        id=f"sub_{secrets.token_hex(12)}", url=body.url, councils=body.councils or [],
        regions=body.regions or [], sources=body.sources or [], document_types=body.document_types or [],
        event_types=body.event_types or [], description=body.description, secret=new_secret(), owner=caller.id,
    )
    session.add(sub)
    session.flush()
    ping(session, sub, "created")
    session.commit()
    request.app.state.dispatcher.wake.set()
    return {"id": sub.id, "secret": sub.secret, **subscription_view(sub)}


@router.get("/subscriptions")
def list_subscriptions(session: SessionDep, caller: CallerDep) -> list[dict[str, Any]]:
    query = select(Subscription).order_by(Subscription.created_at)
    if not caller.admin:
        query = query.where(Subscription.owner == caller.id)
    return [subscription_view(s) for s in session.exec(query).all()]


@router.get("/subscriptions/{subscription_id}")
def get_subscription(subscription_id: str, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    return subscription_view(owned(session, subscription_id, caller))


@router.patch("/subscriptions/{subscription_id}")
async def update_subscription(subscription_id: str, body: SubscriptionPatch, request: Request, session: SessionDep,
                              caller: CallerDep) -> dict[str, Any]:
    """Change filters or URL; `{"active": true}` re-enables a disabled endpoint."""
    sub = owned(session, subscription_id, caller)
    validate_filters(body)
    if body.url is not None:
        sub.url = await checked_url(request, body.url)
    for name in ("councils", "regions", "sources", "document_types", "event_types", "description"):
        if getattr(body, name) is not None:
            setattr(sub, name, getattr(body, name))
    if body.active is True and not sub.active:
        sub.active, sub.disabled_reason, sub.disabled_at = True, None, None
        sub.failing_since = sub.failing_notified_at = None  # a fresh start: a new spell, a new notice
    elif body.active is False:
        sub.active, sub.disabled_reason, sub.disabled_at = False, "disabled by its owner", utcnow()
    session.add(sub)
    session.commit()
    request.app.state.dispatcher.wake.set()
    return subscription_view(sub)


@router.delete("/subscriptions/{subscription_id}", status_code=204)
def delete_subscription(subscription_id: str, session: SessionDep, caller: CallerDep) -> Response:
    sub = owned(session, subscription_id, caller)
    ids = select(Delivery.id).where(Delivery.subscription_id == sub.id)
    session.exec(delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(ids)))
    session.exec(delete(Delivery).where(Delivery.subscription_id == sub.id))
    session.delete(sub)
    session.commit()
    return Response(status_code=204)


@router.post("/subscriptions/{subscription_id}/rotate-secret")
def rotate_secret(subscription_id: str, request: Request, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    """A new secret; the old one keeps signing (both signatures are sent) for 24 hours."""
    sub = owned(session, subscription_id, caller)
    overlap = timedelta(seconds=request.app.state.settings.WEBHOOK_SECRET_OVERLAP_S)
    sub.previous_secret, sub.previous_secret_expires_at = sub.secret, utcnow() + overlap
    sub.secret = new_secret()
    session.add(sub)
    session.commit()
    return {"id": sub.id, "secret": sub.secret, "previous_secret_expires_at": as_utc(sub.previous_secret_expires_at)}


@router.post("/subscriptions/{subscription_id}/ping", status_code=202)
def send_ping(subscription_id: str, request: Request, session: SessionDep, caller: CallerDep) -> dict[str, Any]:
    sub = owned(session, subscription_id, caller)
    event = ping(session, sub, "requested")
    session.commit()
    request.app.state.dispatcher.wake.set()
    return {"event_id": event.id}


class ReplayIn(BaseModel):
    since: datetime | None = None
    until: datetime | None = None
    delivery_id: int | None = None


@router.post("/subscriptions/{subscription_id}/replay", status_code=202)
def replay(subscription_id: str, body: ReplayIn, request: Request, session: SessionDep,
           caller: CallerDep) -> dict[str, Any]:
    """Resend one delivery, or every failed delivery created in [since, until] (at most 14
    days back), with its original `webhook-id`. Each gets one attempt."""
    sub = owned(session, subscription_id, caller)
    now = utcnow()
    query = update(Delivery).where(Delivery.subscription_id == sub.id)
    if body.delivery_id is not None:
        query = query.where(Delivery.id == body.delivery_id)
    else:
        if body.since is None:
            raise HTTPException(422, "give since (and until), or delivery_id")
        since, until = as_utc(body.since), as_utc(body.until) if body.until else now
        if since < now - timedelta(seconds=request.app.state.settings.WEBHOOK_REPLAY_MAX_S) or since > until:
            raise HTTPException(422, "since must be within the last 14 days and before until")
        query = query.where(Delivery.status == "failed", Delivery.created_at >= since, Delivery.created_at <= until)
    result = session.exec(query.values(status="pending", manual=True, next_attempt_at=now))
    session.commit()
    if body.delivery_id is not None and result.rowcount == 0:
        raise HTTPException(404, "no such delivery")
    request.app.state.dispatcher.wake.set()
    return {"replayed": result.rowcount}


@router.get("/subscriptions/{subscription_id}/deliveries")
def list_deliveries(subscription_id: str, session: SessionDep, caller: CallerDep,
                    status: Annotated[str | None, Query(pattern="^(pending|succeeded|failed)$")] = None,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict[str, Any]]:
    """Newest first, each with every attempt: status, duration, response, next attempt."""
    owned(session, subscription_id, caller)
    query = select(Delivery).where(Delivery.subscription_id == subscription_id)
    if status:
        query = query.where(Delivery.status == status)
    deliveries = session.exec(query.order_by(Delivery.id.desc()).limit(limit)).all()
    attempts: dict[int, list[DeliveryAttempt]] = {}
    if deliveries:
        rows = session.exec(select(DeliveryAttempt).where(
            DeliveryAttempt.delivery_id.in_([d.id for d in deliveries])).order_by(DeliveryAttempt.id)).all()
        for a in rows:
            attempts.setdefault(a.delivery_id, []).append(a)
    events = {e.id: e for e in session.exec(select(Event).where(Event.id.in_([d.event_id for d in deliveries])))}
    return [{
        "id": d.id, "event_id": d.event_id, "event_type": events[d.event_id].type, "status": d.status,
        "attempts": d.attempts, "manual": d.manual, "created_at": as_utc(d.created_at),
        "next_attempt_at": as_utc(d.next_attempt_at) if d.status == "pending" else None,
        "log": [{"at": as_utc(a.attempted_at), "status_code": a.status_code, "duration_ms": a.duration_ms,
                 "error": a.error, "response": a.response_body, "next_attempt_at": as_utc(a.next_attempt_at)}
                for a in attempts.get(d.id, [])],
    } for d in deliveries]


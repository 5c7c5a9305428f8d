"""HTTP API of the store: documents, council timelines, subscriptions."""

import hmac
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from shared.councils import default_register
from store import crud
from store.db import as_utc
from store.models import Delivery, DeliveryAttempt, Document, Subscription
from store.signing import new_secret
from store.urlguard import UnsafeURL, check_url

router = APIRouter()


def get_session(request: Request):
    engine: Engine = request.app.state.engine
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def require_admin(request: Request, authorization: Annotated[str | None, Header()] = None) -> str:
    expected = request.app.state.settings.COUNCILWATCH_ADMIN_KEY
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(401, "a valid bearer API key is required", headers={"WWW-Authenticate": "Bearer"})
    return "admin"


OwnerDep = Annotated[str, Depends(require_admin)]


def document_view(doc: Document) -> dict[str, Any]:
    return {
        "document_id": doc.id,
        "status": doc.status,
        "sha256": doc.sha256,
        "source": doc.source,
        "source_url": doc.source_url,
        "document_type": doc.document_type,
        "council": {"name": doc.council_name, "gss_code": doc.council_gss} if doc.council_name else None,
        "title": doc.title,
        "published": doc.published,
        "fetched_at": as_utc(doc.fetched_at),
        "extracted_at": as_utc(doc.extracted_at),
        "error": (doc.findings or {}).get("error"),
        "findings": doc.findings,
    }


@router.get("/documents/{document_id}")
def get_document(document_id: str, session: SessionDep) -> dict[str, Any]:
    doc = session.get(Document, document_id)
    if doc is None:
        raise HTTPException(404, "no such document")
    return document_view(doc)


@router.get("/councils/{gss_code}/timeline")
def get_timeline(gss_code: str, session: SessionDep) -> dict[str, Any]:
    record = default_register().by_gss.get(gss_code)
    docs = crud.timeline(session, gss_code)
    if record is None and not docs:
        raise HTTPException(404, "no such council")
    return {
        "council": {"gss_code": gss_code, "name": record.name if record else docs[0].council_name},
        "documents": [document_view(d) for d in docs],
    }


class SubscriptionIn(BaseModel):
    url: str = Field(max_length=2000)
    councils: list[str] = Field(default_factory=list, max_length=500)
    event_types: list[str] = Field(default_factory=list, max_length=50)


class SubscriptionCreated(BaseModel):
    id: str
    secret: str


@router.post("/subscriptions", status_code=201, response_model=SubscriptionCreated)
async def create_subscription(body: SubscriptionIn, request: Request, owner: OwnerDep) -> SubscriptionCreated:
    settings = request.app.state.settings
    try:
        await check_url(body.url, allow_private=settings.WEBHOOK_ALLOW_PRIVATE)
    except UnsafeURL as exc:
        raise HTTPException(422, f"url refused: {exc}") from exc
    register = default_register()
    unknown = [c for c in body.councils if c not in register.by_gss]
    if unknown:
        raise HTTPException(422, f"unknown council GSS codes: {', '.join(unknown)}")
    sub = Subscription(
        id=f"sub_{secrets.token_hex(12)}", url=body.url, councils=body.councils,
        event_types=body.event_types, secret=new_secret(), owner=owner,
    )
    with Session(request.app.state.engine) as session:
        session.add(sub)
        session.commit()
        return SubscriptionCreated(id=sub.id, secret=sub.secret)


@router.get("/subscriptions/{subscription_id}/deliveries")
def list_deliveries(subscription_id: str, session: SessionDep, owner: OwnerDep) -> list[dict[str, Any]]:
    sub = session.get(Subscription, subscription_id)
    if sub is None or sub.owner != owner:
        raise HTTPException(404, "no such subscription")
    deliveries = session.exec(
        select(Delivery).where(Delivery.subscription_id == subscription_id).order_by(Delivery.id.desc()).limit(200)
    ).all()
    out = []
    for d in deliveries:
        attempts = session.exec(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == d.id)).all()
        out.append({
            "id": d.id, "event_id": d.event_id, "status": d.status, "attempts": d.attempts,
            "next_attempt_at": as_utc(d.next_attempt_at) if d.status == "pending" else None,
            "log": [
                {"at": as_utc(a.attempted_at), "status_code": a.status_code, "duration_ms": a.duration_ms,
                 "error": a.error, "response": a.response_body}
                for a in attempts
            ],
        })
    return out

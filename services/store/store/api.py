"""HTTP API of the store: documents and council timelines, and the API keys every
other router depends on (subscriptions in `subscriptions_api`, the change feed in `feeds`)."""

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from shared.councils import default_register
from store import crud
from store.db import as_utc
from store.models import Document, Subscriber

router = APIRouter()


def get_session(request: Request):
    engine: Engine = request.app.state.engine
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class Caller:
    id: str  # a subscriber id, or "admin"
    admin: bool


def require_caller(request: Request, session: SessionDep,
                   authorization: Annotated[str | None, Header()] = None) -> Caller:
    """The admin key, or a subscriber's API key (stored hashed)."""
    expected = request.app.state.settings.COUNCILWATCH_ADMIN_KEY
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and token:
        if hmac.compare_digest(token.encode(), expected.encode()):
            return Caller("admin", True)
        subscriber = session.exec(select(Subscriber).where(Subscriber.key_hash == key_hash(token))).first()
        if subscriber is not None:
            return Caller(subscriber.id, False)
    raise HTTPException(401, "a valid bearer API key is required", headers={"WWW-Authenticate": "Bearer"})


def require_admin(caller: Annotated[Caller, Depends(require_caller)]) -> Caller:
    if not caller.admin:
        raise HTTPException(403, "this needs the admin key")
    return caller


CallerDep = Annotated[Caller, Depends(require_caller)]
AdminDep = Annotated[Caller, Depends(require_admin)]


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


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

"""The change feed without a webhook receiver: `GET /changes?since=CURSOR` (cursor-paged
JSON, the same events webhooks carry) and `GET /councils/{gss}/feed.atom` for people.

The cursor is the last event id seen (`msg_` + time + random, so ids sort by time). Events
younger than `CHANGES_SETTLE_S` are held back, so a transaction still committing an earlier
id cannot be skipped by a reader that already moved past it.
"""

from datetime import timedelta
from typing import Annotated, Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, HTTPException, Query, Request, Response
from sqlmodel import select

from shared.councils import default_register
from shared.events import utcnow
from store.api import SessionDep
from store.changes import DIRECT_EVENTS, EXTRACTION_FAILED
from store.db import as_utc
from store.models import Event

router = APIRouter(tags=["feeds"])
HIDDEN = DIRECT_EVENTS | {EXTRACTION_FAILED}


def event_view(event: Event) -> dict[str, Any]:
    return {"id": event.id, "type": event.type, "timestamp": as_utc(event.created_at), "council_gss": event.council_gss,
            "data": event.payload}


@router.get("/changes")
def changes(request: Request, session: SessionDep,
            since: Annotated[str | None, Query(description="the next_cursor of the previous page")] = None,
            council: Annotated[str | None, Query(description="a GSS code")] = None,
            type: Annotated[str | None, Query(description="an event type")] = None,  # noqa: A002
            limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Every change, oldest first, from the cursor on; `next_cursor` continues it."""
    settle = timedelta(seconds=request.app.state.settings.CHANGES_SETTLE_S)
    query = select(Event).where(Event.type.not_in(HIDDEN), Event.created_at <= utcnow() - settle)
    if since:
        query = query.where(Event.id > since)
    if council:
        query = query.where(Event.council_gss == council)
    if type:
        query = query.where(Event.type == type)
    events = session.exec(query.order_by(Event.id).limit(limit)).all()
    return {"events": [event_view(e) for e in events], "next_cursor": events[-1].id if events else since}


TITLES = {
    "publication.published": lambda d: f"New {(d.get('document_type') or 'publication').replace('_', ' ')}: "
                                       f"{d.get('title') or d.get('document_id')}",
    "judgement.changed": lambda d: f"{d['judgement'].replace('_', ' ').capitalize()}: "
                                   f"{d['before'].replace('_', ' ')} → {d['after'].replace('_', ' ')}",
    "score.changed": lambda d: f"CQC scores changed ({', '.join(d.get('changes', {}))})",
    "assessment.started": lambda d: "CQC assessment in progress",
}


@router.get("/councils/{gss_code}/feed.atom", response_class=Response)
def council_feed(gss_code: str, request: Request, session: SessionDep) -> Response:
    """The council's changes as an Atom feed, newest first."""
    record = default_register().by_gss.get(gss_code)
    if record is None:
        raise HTTPException(404, "no such council")
    events = session.exec(select(Event).where(Event.council_gss == gss_code, Event.type.not_in(HIDDEN))
                          .order_by(Event.id.desc()).limit(50)).all()
    base = request.app.state.settings.PUBLIC_BASE_URL
    updated = as_utc(events[0].created_at).isoformat() if events else "1970-01-01T00:00:00+00:00"
    entries = []
    for e in events:
        data = e.payload
        title = TITLES.get(e.type, lambda _d, t=e.type: t)(data)
        link = (data.get("links") or {}).get("document") or f"{base}/councils/{gss_code}/timeline"
        entries.append(
            f"<entry><id>urn:councilwatch:{escape(e.id)}</id><title>{escape(title)}</title>"
            f'<link href="{escape(link)}"/><updated>{as_utc(e.created_at).isoformat()}</updated>'
            f'<category term="{escape(e.type)}"/><summary>{escape(_summary(data))}</summary></entry>')
    feed = (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>urn:councilwatch:council:{gss_code}</id><title>CouncilWatch: {escape(record.name)}</title>"
            f'<link rel="self" href="{escape(base)}/councils/{gss_code}/feed.atom"/><updated>{updated}</updated>'
            f"<author><name>CouncilWatch</name></author>{''.join(entries)}</feed>")
    return Response(feed, media_type="application/atom+xml")


def _summary(data: dict[str, Any]) -> str:
    grades = data.get("judgements") or {}
    if grades:
        return "; ".join(f"{k.replace('_', ' ')}: {v.replace('_', ' ')}" for k, v in grades.items())
    if "before" in data:
        return f"{data.get('previous_published')} → {data.get('published')}"
    return data.get("detail") or data.get("source_url") or ""

"""Stream handlers of the store: each is one committed transaction, safe to run twice."""

import asyncio
import logging

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlmodel import Session

from shared.consumer import Unavailable
from shared.events import DocumentExtracted, DocumentFetched, SignalObserved
from store import crud

log = logging.getLogger(__name__)


class StoreConsumers:
    def __init__(self, engine: Engine, public_base_url: str, wake: asyncio.Event | None = None) -> None:
        self.engine = engine
        self.public_base_url = public_base_url
        self.wake = wake

    async def on_document_fetched(self, event: DocumentFetched) -> None:
        await asyncio.to_thread(self._in_transaction, crud.record_fetched, event)

    async def on_document_extracted(self, event: DocumentExtracted) -> None:
        await self._record_changes(crud.record_extraction, event, "findings stored", document_id=event.document_id)

    async def on_signal_observed(self, event: SignalObserved) -> None:
        await self._record_changes(crud.record_signal, event, "signal stored", signal_id=event.signal_id)

    async def _record_changes(self, work, event, message: str, **ids: str) -> None:  # noqa: ANN001
        """Run `work` (which derives events and queues deliveries) in one transaction, then
        wake the dispatcher if anything was queued."""
        queued = await asyncio.to_thread(self._in_transaction, work, event, public_base_url=self.public_base_url)
        log.info(message, extra={**ids, "deliveries": queued, "trace_id": event.trace_id})
        if queued and self.wake is not None:
            self.wake.set()

    def _in_transaction(self, work, event, **kw) -> int:  # noqa: ANN001
        try:
            return self._unit_of_work(work, event, **kw)
        except (OperationalError, InterfaceError) as exc:
            # The database is down or unreachable (or SQLite is locked): the message waits
            # for it rather than counting a delivery towards its dead letter.
            raise Unavailable("database", str(exc.orig or exc)[:500]) from exc

    def _unit_of_work(self, work, event, **kw) -> int:  # noqa: ANN001
        # A concurrent duplicate (a reclaimed message while the first run is still going)
        # loses on a unique key; once rolled back, the second try sees the winner's rows.
        for attempt in (1, 2):
            with Session(self.engine) as session:
                try:
                    result = work(session, event, **kw)
                    session.commit()
                    return len(result or [])
                except IntegrityError:
                    session.rollback()
                    if attempt == 2:
                        raise
        return 0

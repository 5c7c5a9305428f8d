"""Accepting a publication: store the bytes once, publish one DocumentFetched per content.

Dedupe is by content. A blob once published carries a durable mark in the blob store, so
the same bytes later are a duplicate, even after a Redis flush. Two uploads of the same
bytes at the same moment are settled by a short claim in Redis, `ingest:documents:<sha256>`
(SET NX with a TTL, left to expire, so Redis holds only the last minute's claims, not the
history): one publishes, the other is a duplicate. If the process dies between publish and
mark, the claim expires and the next upload publishes again; the store dedupes on document
id, so that second event never gives a second webhook.
"""

import logging
from dataclasses import dataclass
from datetime import date

from faststream.redis import RedisBroker
from prometheus_client import Counter
from pydantic import BaseModel
from redis.asyncio import Redis

from shared.blobs import BlobStore
from shared.canary import CANARY_FILENAME, CANARY_PDF, new_canary_id
from shared.events import DOCUMENTS_FETCHED, SIGNALS_OBSERVED, DocumentFetched, SignalObserved, Source, document_id_for
from shared.media import PDF
from shared.trace import HEADER, new_traceparent, trace_id_of

log = logging.getLogger(__name__)

PUBLISHED = Counter("ingest_documents_published_total", "Documents put on the stream.", ["source"])
DUPLICATES = Counter("ingest_documents_duplicate_total", "Documents already seen, by content.")
CANARIES = Counter("ingest_canaries_sent_total", "Canary documents sent down the pipeline.")


@dataclass
class Accepted:
    document_id: str
    sha256: str
    duplicate: bool
    trace_id: str | None = None  # the new trace; None for a duplicate


class Intake:
    def __init__(self, blobs: BlobStore, redis: Redis, broker: RedisBroker, *, claim_ttl_s: int,
                 stream_maxlen: int) -> None:
        self.blobs = blobs
        self.redis = redis
        self.broker = broker
        self.claim_ttl_s = claim_ttl_s
        self.stream_maxlen = stream_maxlen

    async def accept(
        self,
        data: bytes,
        *,
        filename: str | None = None,
        media_type: str | None = None,
        source: Source | None = None,
        source_url: str | None = None,
        published: date | None = None,
        council_gss: str | None = None,
    ) -> Accepted:
        key = self.blobs.put(data)  # durable before anything refers to it
        document_id = document_id_for(key)
        seen_key = f"ingest:documents:{key}"
        if self.blobs.is_published(key) or not await self.redis.set(seen_key, "claimed", nx=True,
                                                                       ex=self.claim_ttl_s):
            DUPLICATES.inc()
            log.info("duplicate document", extra={"document_id": document_id})
            return Accepted(document_id, key, duplicate=True)
        # The trace starts here and travels in the message headers (shared.trace); the id
        # is in the body as well for consumers that only read bodies.
        traceparent = new_traceparent()
        event = DocumentFetched(
            document_id=document_id, sha256=key, blob_key=key, size_bytes=len(data),
            filename=filename, media_type=media_type, source=source, source_url=source_url,
            published=published, council_gss=council_gss,
            trace_id=trace_id_of(traceparent),
        )
        try:
            await self._publish(event, DOCUMENTS_FETCHED, traceparent)
        except BaseException:
            await self.redis.delete(seen_key)
            raise
        # The claim is left to expire: until then it keeps out an upload that checked the
        # mark a moment before it was made.
        self.blobs.mark_published(key)
        PUBLISHED.labels(source or "upload").inc()
        log.info("document published", extra={"document_id": document_id, "trace_id": event.trace_id})
        return Accepted(document_id, key, duplicate=False, trace_id=event.trace_id)

    async def publish_canary(self) -> str:
        """Send the canary (shared.canary) down the pipeline: the same bytes each round, so
        one blob, but a new document id, past the content dedupe."""
        key = self.blobs.put(CANARY_PDF)
        traceparent = new_traceparent()
        event = DocumentFetched(
            document_id=new_canary_id(), sha256=key, blob_key=key, size_bytes=len(CANARY_PDF),
            filename=CANARY_FILENAME, media_type=PDF, canary=True, trace_id=trace_id_of(traceparent),
        )
        await self._publish(event, DOCUMENTS_FETCHED, traceparent)
        CANARIES.inc()
        log.info("canary sent", extra={"document_id": event.document_id, "trace_id": event.trace_id})
        return event.document_id

    async def publish_signal(self, signal: SignalObserved) -> None:
        """Put a publisher's signal on its stream (the store dedupes on `signal_id`)."""
        traceparent = new_traceparent(signal.trace_id)
        signal.trace_id = trace_id_of(traceparent)
        await self._publish(signal, SIGNALS_OBSERVED, traceparent)
        log.info("signal observed", extra={"signal_id": signal.signal_id, "trace_id": signal.trace_id})

    async def _publish(self, event: BaseModel, stream: str, traceparent: str) -> None:
        """On `stream`, the trace context in the message headers (shared.trace)."""
        await self.broker.publish(event, stream=stream, maxlen=self.stream_maxlen or None,
                                  headers={HEADER: traceparent})

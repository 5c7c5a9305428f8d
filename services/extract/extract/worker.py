"""The extract handler: a fetched document in, its findings (the next event) out."""

import asyncio
import logging
import time

from prometheus_client import Counter, Histogram

from extract.findings import check_input, failed
from extract.parsers import PARSER_VERSION
from extract.sandbox import Sandbox
from shared.blobs import BlobMissing, BlobStore, sha256_hex
from shared.consumer import PermanentError
from shared.councils import default_register
from shared.events import Council, DocumentExtracted, DocumentFetched, ExtractionError, Findings
from shared.media import media_type_for

log = logging.getLogger(__name__)

DURATION = Histogram(
    "extract_duration_seconds", "Time to extract one document's findings.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PAGES = Counter("extract_pdf_pages_total", "Pages of successfully parsed PDFs.")
DOCUMENTS = Counter("extract_documents_total", "Documents extracted, by outcome.", ["outcome"])
FAILURES = Counter("extract_failures_total", "Documents that could not be extracted, by code.", ["code"])


# The parser died, raised or ran out of time: load, a memory spike or a parser bug fixed by
# the next deploy can cure these, so they are retried (MAX_DELIVERIES, each after the claim
# idle time) before the document is given up. Every other verdict (not a PDF, encrypted,
# too many pages, a bomb) is read from the bytes themselves and is final at once.
RETRIED_CODES = frozenset({"crashed", "timeout"})


class ParseFailed(Exception):
    """A parse that may succeed on another delivery: the message stays pending."""


class Extractor:
    def __init__(self, blobs: BlobStore, sandbox: Sandbox, max_bytes: int) -> None:
        self.blobs = blobs
        self.sandbox = sandbox
        self.max_bytes = max_bytes

    async def on_document_fetched(self, event: DocumentFetched) -> DocumentExtracted:
        """Findings of the document; a bad document is dead-lettered with its error."""
        try:
            # File I/O off the event loop: a slow disk must not stall health checks.
            data = await asyncio.to_thread(self.blobs.get, event.blob_key)
        except BlobMissing as exc:
            raise PermanentError("blob_missing", f"no blob {event.blob_key}") from exc
        if sha256_hex(data) != event.sha256:
            raise PermanentError("blob_missing", f"blob {event.blob_key} does not match sha256")
        started = time.perf_counter()
        media_type = media_type_for(event.media_type, event.filename)
        error = check_input(data, self.max_bytes, media_type)
        if error:
            findings = failed(data, error, event.filename)
        else:
            # Blocking pipe I/O to the sandbox child runs in a thread, off the event loop.
            findings = await asyncio.to_thread(self.sandbox.run, data, event.filename, media_type)
        DURATION.observe(time.perf_counter() - started)
        findings = enrich(findings, event)
        extracted = extracted_event(event, findings)
        if findings.error and findings.error.code in RETRIED_CODES:
            FAILURES.labels(findings.error.code).inc()
            log.warning(
                "parse failed; the message stays pending for another delivery",
                extra={"document_id": event.document_id, "code": findings.error.code,
                       "reason": findings.error.message, "trace_id": event.trace_id},
            )
            raise ParseFailed(f"{findings.error.code}: {findings.error.message}")
        if findings.error:
            FAILURES.labels(findings.error.code).inc()
            DOCUMENTS.labels("failed").inc()
            log.warning(
                "extraction failed",
                extra={"document_id": event.document_id, "code": findings.error.code,
                       "reason": findings.error.message, "trace_id": event.trace_id},
            )
            raise PermanentError(findings.error.code, findings.error.message, next_event=extracted)
        PAGES.inc(findings.pages or 0)
        DOCUMENTS.labels("ok").inc()
        log.info(
            "document extracted",
            extra={"document_id": event.document_id, "document_type": findings.document_type,
                   "trace_id": event.trace_id},
        )
        return extracted


    def gave_up(self, event: DocumentFetched, reason: str) -> DocumentExtracted:
        """What the store records for a document dead-lettered after every retry."""
        DOCUMENTS.labels("failed").inc()
        error = ExtractionError(code="max_deliveries", message=reason[:2000])
        findings = Findings(file=event.filename or event.source_url, sha256=event.sha256, error=error,
                            parser_version=PARSER_VERSION)
        return extracted_event(event, findings)


def extracted_event(event: DocumentFetched, findings: Findings) -> DocumentExtracted:
    """The result event, carrying on what the store needs from the fetched one."""
    return DocumentExtracted(document_id=event.document_id, sha256=event.sha256, source_url=event.source_url,
                             findings=findings, trace_id=event.trace_id, fetched_at=event.fetched_at,
                             canary=event.canary)


def enrich(findings: Findings, event: DocumentFetched) -> Findings:
    """Add what the publisher's listing said and the document does not."""
    update: dict = {"file": event.filename or event.source_url}
    if findings.published is None and event.published is not None:
        update["published"] = event.published
    if findings.source is None and event.source is not None and not findings.error:
        update["source"] = event.source
    if findings.council is None and event.council_gss and not findings.error:
        record = default_register().by_gss.get(event.council_gss)
        if record:
            update["council"] = Council(name=record.name, gss_code=record.gss_code)
    return findings.model_copy(update=update)


__all__ = ["ExtractionError", "Extractor"]

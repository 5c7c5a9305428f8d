"""The event contract: every stream name, consumer group and event model, in one place.

    ingest  --DocumentFetched-->   documents.fetched   --(group extract)--> extract
    extract --DocumentExtracted--> documents.extracted --(group store)----> store
                                   documents.fetched   --(group store)----> store (status only)
    ingest  --SignalObserved-->    signals.observed    --(group store)----> store

Events carry ids and references, never document bytes. A message that cannot be handled
goes to `<stream>.dead` with the reason (see `shared.consumer`).
"""

from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DOCUMENTS_FETCHED = "documents.fetched"
DOCUMENTS_EXTRACTED = "documents.extracted"
SIGNALS_OBSERVED = "signals.observed"

EXTRACT_GROUP = "extract"
STORE_GROUP = "store"
# Every consumer group each stream has in the pipeline. A stream is trimmed only while all
# of them exist (shared.trimming): a group not yet created expects to find everything.
STREAM_GROUPS: dict[str, tuple[str, ...]] = {
    DOCUMENTS_FETCHED: (EXTRACT_GROUP, STORE_GROUP),
    DOCUMENTS_EXTRACTED: (STORE_GROUP,),
    SIGNALS_OBSERVED: (STORE_GROUP,),
}

Source = Literal["ofsted", "cqc", "lga"]
Grade = Literal["outstanding", "good", "requires_improvement", "inadequate"]
DocumentType = Literal[
    "ilacs_inspection",
    "ilacs_focused_visit",
    "ilacs_monitoring_visit",
    "jtai",
    "area_send_inspection",
    "cqc_la_assessment",
    "cqc_location_report",
    "lga_peer_challenge",
    "lga_case_study",
    "unknown",
]
ErrorCode = Literal[
    "not_a_pdf",
    "encrypted",
    "too_large",
    "too_many_pages",
    "timeout",
    "unreadable",
    "crashed",
    "malformed_event",
    "blob_missing",
    "max_deliveries",
]


def dead_letter_stream(stream: str) -> str:
    return f"{stream}.dead"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Council(BaseModel):
    name: str
    gss_code: str | None = None


class PageText(BaseModel):
    """A piece of text and the 1-based page it came from."""

    text: str
    page: int


class ExtractionError(BaseModel):
    code: ErrorCode
    message: str


class Findings(BaseModel):
    """What extraction found in one document (CONTRACT.md, `councilwatch extract`).

    Families add fields of their own (a focused visit's `theme`, say): extra keys are kept.
    """

    model_config = ConfigDict(extra="allow")

    file: str | None = None
    sha256: str
    pages: int | None = None
    source: Source | None = None
    document_type: DocumentType = "unknown"
    inspection_type: Literal["standard", "short"] | None = None
    council: Council | None = None
    title: str | None = None
    inspection_start: date | None = None
    inspection_end: date | None = None
    published: date | None = None
    lead_inspector: str | None = None
    judgements: dict[str, Grade] = Field(default_factory=dict)
    judgement_pages: dict[str, int] = Field(default_factory=dict)
    scores: dict[str, int] = Field(default_factory=dict)
    rating: Grade | None = None
    percent: int | None = None
    send_outcome: Literal["positive", "inconsistent", "significant_concerns"] | None = None
    improvements: list[PageText] = Field(default_factory=list)
    parser_version: str | None = None
    error: ExtractionError | None = None


class DocumentFetched(BaseModel):
    """A publication's bytes are in the blob store under `blob_key`."""

    document_id: str
    sha256: str
    blob_key: str
    size_bytes: int
    filename: str | None = None
    # application/pdf, text/html or application/json (shared.media); None: from filename.
    media_type: str | None = None
    source: Source | None = None
    source_url: str | None = None
    # What the publisher's listing said, when ingest knows it (the PDF often does not say).
    published: date | None = None
    # The council the source filed it under (a CQC location's local authority, say), used
    # when the document itself names none.
    council_gss: str | None = None
    fetched_at: datetime = Field(default_factory=utcnow)
    trace_id: str | None = None
    # A synthetic document (shared.canary): the store records a canary run, not a document.
    canary: bool = False


class DocumentExtracted(BaseModel):
    """Extraction finished for a document: findings, or `findings.error`."""

    document_id: str
    sha256: str
    source_url: str | None = None
    findings: Findings
    extracted_at: datetime = Field(default_factory=utcnow)
    trace_id: str | None = None
    # Copied from DocumentFetched: when ingest had the bytes (the pipeline's latency), and
    # whether this is the canary.
    fetched_at: datetime | None = None
    canary: bool = False


class SignalObserved(BaseModel):
    """A publisher said something about a council that is not a document: CQC listed it
    among the assessments in progress. `signal_id` is the same on every redelivery."""

    signal_id: str
    source: Source
    kind: Literal["assessment.started"]
    council_gss: str
    detail: str = ""
    observed_at: datetime = Field(default_factory=utcnow)
    trace_id: str | None = None


def document_id_for(sha256: str) -> str:
    """Content-addressed id: the same bytes always give the same document id."""
    return f"doc_{sha256[:32]}"


def to_fields(event: BaseModel) -> dict[str, Any]:
    return event.model_dump(mode="json")

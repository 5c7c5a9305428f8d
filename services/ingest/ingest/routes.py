"""HTTP API of ingest: `POST /documents`."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from pydantic import BaseModel

from ingest.intake import Intake
from shared.media import media_type_for

router = APIRouter()
CHUNK = 1024 * 1024


def get_intake(request: Request) -> Intake:
    return request.app.state.intake


IntakeDep = Annotated[Intake, Depends(get_intake)]


class DocumentAccepted(BaseModel):
    document_id: str
    sha256: str
    status: str  # "accepted" or "duplicate" (same bytes as an earlier upload)
    # The trace the document travels under, to its webhooks' `traceparent` (None: duplicate).
    trace_id: str | None = None


@router.post("/documents", status_code=202, response_model=DocumentAccepted)
async def post_document(
    request: Request,
    intake: IntakeDep,
    file: Annotated[UploadFile, File()],
    source_url: Annotated[str | None, Form(max_length=2000)] = None,
) -> DocumentAccepted:
    if source_url is not None:
        parts = urlsplit(source_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise HTTPException(422, "source_url must be an absolute http(s) URL")
    limit = request.app.state.settings.INGEST_MAX_UPLOAD_BYTES
    data = bytearray()
    while chunk := await file.read(CHUNK):
        data += chunk
        if len(data) > limit:
            raise HTTPException(413, f"the upload is over {limit} bytes")
    if not data:
        raise HTTPException(422, "the upload is empty")
    accepted = await intake.accept(
        bytes(data), filename=file.filename, source_url=source_url,
        media_type=media_type_for(file.content_type, file.filename),
    )
    return DocumentAccepted(
        document_id=accepted.document_id, sha256=accepted.sha256,
        status="duplicate" if accepted.duplicate else "accepted", trace_id=accepted.trace_id,
    )

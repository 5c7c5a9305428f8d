"""From a document's bytes to its findings: the one function the CLI and the worker share.

`check_input` runs in the calling process and rejects what no parser should see (wrong
magic, too big). `extract_findings` does the parsing and is meant to run in the sandbox
child (`extract.sandbox`), because PDFium aborts the whole process under memory pressure.
Three kinds of input: PDF, a saved HTML page, and CQC's API JSON for a location.
"""

import json
import re

from extract.html import read_html
from extract.parsers import PARSER_VERSION, parse_document
from extract.pdf import PdfError, read_text
from extract.preflight import preflight
from extract.text import DocumentText
from shared.blobs import sha256_hex
from shared.events import ExtractionError, Findings
from shared.media import HTML, JSON, PDF

_HTML = re.compile(rb"<(!doctype html|html|head|body)\b", re.I)


def check_input(data: bytes, max_bytes: int, media_type: str = PDF) -> ExtractionError | None:
    """A clear error for input no parser should be given, or None."""
    if len(data) > max_bytes:
        return ExtractionError(code="too_large", message=f"{len(data)} bytes; the limit is {max_bytes}")
    if media_type == PDF and b"%PDF-" not in data[:1024]:
        kind = "empty file" if not data else "an HTML page" if _HTML.search(data[:4096]) else "not a PDF"
        return ExtractionError(code="not_a_pdf", message=f"{kind}: no %PDF- header in the first 1024 bytes")
    if media_type == HTML and not _HTML.search(data[:65536]):
        return ExtractionError(code="unreadable", message="declared HTML, but no HTML markup found")
    return None


def failed(data: bytes, error: ExtractionError, file: str | None = None) -> Findings:
    return Findings(file=file, sha256=sha256_hex(data), error=error, parser_version=PARSER_VERSION)


def read_document(data: bytes, media_type: str, max_pages: int) -> DocumentText:
    if media_type == HTML:
        return read_html(data)
    if media_type == JSON:
        try:
            record = json.loads(data)
        except ValueError as exc:
            raise PdfError("unreadable", f"not valid JSON: {exc}") from exc
        return DocumentText([[]], media_type=JSON, data=record)
    return read_text(data, max_pages=max_pages)


def extract_findings(
    data: bytes, file: str | None = None, max_pages: int = 2000, media_type: str = PDF
) -> Findings:
    """Findings of one document; errors come back in `findings.error`, never raised."""
    sha = sha256_hex(data)
    try:
        text = read_document(data, media_type, max_pages)
    except PdfError as exc:
        return failed(data, ExtractionError(code=exc.code, message=exc.message), file)
    fields = parse_document(text, data)
    pages = text.page_count if media_type == PDF else None
    return Findings(file=file, sha256=sha, pages=pages, parser_version=PARSER_VERSION, **fields)


def diagnose(data: bytes, max_pages: int) -> ExtractionError | None:
    """Why a PDF made the parser process die, when the structure says (a bomb, say)."""
    try:
        preflight(data, max_pages)
    except PdfError as exc:
        return ExtractionError(code=exc.code, message=exc.message)
    return None

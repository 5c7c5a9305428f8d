"""From a document's bytes to its findings: the one function the CLI and the worker share.

`check_input` runs in the calling process and rejects what no parser should see (wrong
magic, too big). `extract_findings` does the parsing and is meant to run in the sandbox
child (`extract.sandbox`), because PDFium aborts the whole process under memory pressure.
"""

import re

from extract.parsers import PARSER_VERSION, parse_document
from extract.pdf import PdfError, read_text
from shared.blobs import sha256_hex
from shared.events import ExtractionError, Findings

_HTML = re.compile(rb"<(!doctype html|html|head|body)\b", re.I)


def check_input(data: bytes, max_bytes: int) -> ExtractionError | None:
    """A clear error for input no parser should be given, or None."""
    if len(data) > max_bytes:
        return ExtractionError(code="too_large", message=f"{len(data)} bytes; the limit is {max_bytes}")
    if b"%PDF-" not in data[:1024]:
        kind = "an HTML page" if _HTML.search(data[:4096]) else "not a PDF"
        what = "empty file" if not data else kind
        return ExtractionError(code="not_a_pdf", message=f"{what}: no %PDF- header in the first 1024 bytes")
    return None


def failed(data: bytes, error: ExtractionError, file: str | None = None) -> Findings:
    return Findings(file=file, sha256=sha256_hex(data), error=error, parser_version=PARSER_VERSION)


def extract_findings(data: bytes, file: str | None = None, max_pages: int = 2000) -> Findings:
    """Findings of one document; errors come back in `findings.error`, never raised."""
    sha = sha256_hex(data)
    try:
        text = read_text(data, max_pages=max_pages)
    except PdfError as exc:
        return failed(data, ExtractionError(code=exc.code, message=exc.message), file)
    fields = parse_document(text, data)
    return Findings(
        file=file, sha256=sha, pages=text.page_count, parser_version=PARSER_VERSION, **fields
    )

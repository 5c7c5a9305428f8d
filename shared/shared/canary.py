"""The end-to-end canary: a synthetic document ingest sends through the whole pipeline on
a timer, so a pipeline that has silently stopped turning documents into findings is noticed
even in a week when no publisher publishes anything.

The bytes never change (one blob, however many rounds); each round has a document id of
its own and the `canary` flag, which the store records as a canary run instead of a council
document: no history, no change events, no webhooks.
"""

import uuid

CANARY_FILENAME = "councilwatch-canary.pdf"
CANARY_TEXT = "CouncilWatch canary: a synthetic document that checks the pipeline end to end"


def write_pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given objects (numbered from 1, the first the catalog), with a correct
    cross-reference table: small hand-made documents, no PDF library needed."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf(text: str) -> bytes:
    """A one-page PDF showing `text`."""
    content = f"BT /F1 11 Tf 72 770 Td ({text}) Tj ET".encode()
    return write_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


CANARY_PDF = _pdf(CANARY_TEXT)


def new_canary_id() -> str:
    return f"canary_{uuid.uuid4().hex[:24]}"


def canary_problem(error_code: str | None, pages: int | None) -> str | None:
    """Why a canary's findings are wrong, or None: it must parse, as one page, without error."""
    if error_code:
        return f"extraction failed: {error_code}"
    if pages != 1:
        return f"expected 1 page, got {pages}"
    return None

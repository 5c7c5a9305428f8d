"""PDF text: pypdfium2 for every page's text, pdfplumber only for the table pages.

pypdfium2 reads text about 60x faster than pdfplumber on these reports (docs/PDF.md), so
it reads every page; pdfplumber is opened on the few pages whose layout matters, and every
page it opens is closed (pdfplumber keeps each page's objects alive otherwise).
Running headers and footers are found by repetition across pages and removed, so they
never leak into findings (a Tameside footer lands inside a bullet otherwise).
"""

import io
import re
from collections import Counter

import pypdfium2 as pdfium

from extract.text import BULLET, DocumentText, normalise_line

_DIGITS = re.compile(r"\d+")
HEADER_FOOTER_DEPTH = 3  # lines at the top and bottom of a page that may repeat


class PdfError(Exception):
    """The document cannot be read; `code` is the findings error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def read_text(data: bytes, max_pages: int) -> DocumentText:
    """Every page's text through pypdfium2, headers and footers removed."""
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PdfError("encrypted", "the PDF needs a password to open") from exc
        raise PdfError("unreadable", f"PDFium could not open the file: {exc}") from exc
    try:
        count = len(doc)
        declared_title = normalise_line(doc.get_metadata_value("Title") or "")
        if count > max_pages:
            raise PdfError("too_many_pages", f"{count} pages; the limit is {max_pages}")
        pages = []
        for index in range(count):
            page = doc[index]
            textpage = page.get_textpage()
            raw = textpage.get_text_range()
            textpage.close()
            page.close()
            lines = [normalise_line(x) for x in raw.replace("\r\n", "\n").split("\n")]
            pages.append([x for x in lines if x])
    except pdfium.PdfiumError as exc:
        raise PdfError("unreadable", f"PDFium could not read a page: {exc}") from exc
    finally:
        doc.close()
    return DocumentText(strip_running_lines(pages), declared_title=declared_title)


def strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Remove lines that repeat near the top or bottom of many pages (digits ignored)."""
    if len(pages) < 3:
        return pages
    edge = Counter()
    for lines in pages:
        keys = {_DIGITS.sub("#", x) for x in lines[:HEADER_FOOTER_DEPTH] + lines[-HEADER_FOOTER_DEPTH:]}
        edge.update(keys)
    threshold = max(2, int(0.4 * len(pages)))
    running = {k for k, n in edge.items() if n >= threshold and len(k) > 1}
    # A bare page number ("2", "Page 2 of 12") is running text too.
    running |= {k for k in edge if re.fullmatch(r"(page )?#( (of|/) #)?", k, re.I)}
    cleaned = []
    for lines in pages:
        top = lines[:HEADER_FOOTER_DEPTH]
        # The bottom window never overlaps the top one on a short page.
        bottom = lines[max(len(top), len(lines) - HEADER_FOOTER_DEPTH) :]
        mid = lines[len(top) : len(lines) - len(bottom)]
        keep_top = _drop_edge(top, running)
        keep_bottom = list(reversed(_drop_edge(list(reversed(bottom)), running)))
        cleaned.append(keep_top + mid + keep_bottom)
    return cleaned


def _drop_edge(lines: list[str], running: set[str]) -> list[str]:
    """Drop running lines from the outer edge inwards; stop at the first real line."""
    index = 0
    while index < len(lines) and _DIGITS.sub("#", lines[index]) in running:
        index += 1
    return lines[index:]


def read_tables(data: bytes, page_numbers: list[int]) -> dict[int, list[list[list[str | None]]]]:
    """pdfplumber tables of the given 1-based pages only, closing each page after use."""
    import pdfplumber  # imported here: only table pages pay for it

    found: dict[int, list] = {}
    with pdfplumber.open(io.BytesIO(data), pages=page_numbers) as pdf:
        for page in pdf.pages:
            try:
                found[page.page_number] = page.extract_tables()
            finally:
                page.close()
    return found

__all__ = ["BULLET", "PdfError", "read_tables", "read_text", "strip_running_lines"]

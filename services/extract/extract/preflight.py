"""A structural check of a PDF that made the parser process die, for a clear error code.

pypdf decodes every page's content streams under its own decompression limits, so a Flate
bomb is reported as `too_large` in well under a second, and an oversized glyph stream is
refused by size. It costs about 0.5 ms a page, which would halve extraction speed if every
document paid it (bench/extract_speed.py), so only documents whose parse crashed do.
Files pypdf cannot parse are left as they are: PDFium reads more broken files than pypdf.
"""

import io
import logging

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, LimitReachedError, PyPdfError

from extract.pdf import PdfError

logging.getLogger("pypdf").setLevel(logging.ERROR)  # warnings about sloppy real PDFs
# Real report pages hold well under 100 KB of content; a 5-million-glyph page holds 35 MB.
MAX_CONTENT_BYTES_PER_PAGE = 8 * 1024 * 1024


def preflight(data: bytes, max_pages: int) -> None:
    """Raise PdfError (too_large, too_many_pages, encrypted) for a file not worth parsing."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfError("encrypted", "the PDF needs a password to open")
        count = len(reader.pages)
        if count > max_pages:
            raise PdfError("too_many_pages", f"{count} pages; the limit is {max_pages}")
        for number, page in enumerate(reader.pages, start=1):
            contents = page.get_contents()
            size = len(contents.get_data()) if contents is not None else 0
            if size > MAX_CONTENT_BYTES_PER_PAGE:
                raise PdfError("too_large", f"page {number} holds {size} bytes of drawing instructions")
    except LimitReachedError as exc:
        raise PdfError("too_large",
                       f"a stream decompresses beyond the safety limit (a decompression bomb?): {exc}") from exc
    except FileNotDecryptedError as exc:
        raise PdfError("encrypted", "the PDF needs a password to open") from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return  # not pypdf's to judge: PDFium reads more broken files than it does

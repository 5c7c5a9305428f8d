"""The kinds of input the pipeline takes, and how a declared type or file name maps to one."""

from pathlib import PurePath

PDF, HTML, JSON = "application/pdf", "text/html", "application/json"
_SUFFIXES = {".pdf": PDF, ".html": HTML, ".htm": HTML, ".json": JSON}


def media_type_for(declared: str | None, filename: str | None) -> str:
    """What the input claims to be: the declared type, else the file name's suffix, else PDF.
    The bytes must then prove it: an HTML page served as a PDF is refused by extract."""
    if declared:
        base = declared.split(";", 1)[0].strip().lower()
        if base in (PDF, HTML, JSON):
            return base
    return _SUFFIXES.get(PurePath(filename or "").suffix.lower(), PDF)

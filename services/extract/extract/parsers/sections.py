"""Pieces of report structure that several families share: title blocks, council names,
bullet lists under a heading."""

import re

from extract.pdf import BULLET, PdfText
from shared.councils import CouncilRecord, default_register
from shared.events import Council, PageText

_SENTENCE_END = re.compile(r"[.?!)”’\"]$")


def first_line_matching(text: PdfText, pattern: re.Pattern[str], pages: int = 2) -> re.Match | None:
    for _, line in text.lines(1, min(pages, text.page_count)):
        m = pattern.search(line)
        if m:
            return m
    return None


def council_from(name: str) -> Council:
    """The council a document names, resolved to its GSS code through the register."""
    register = default_register()
    record: CouncilRecord | None = register.resolve(name) or register.find_in(name)
    if record is None:
        return Council(name=" ".join(name.split()))
    return Council(name=record.name, gss_code=record.gss_code)


def bullets_after(text: PdfText, heading: re.Pattern[str]) -> list[PageText]:
    """The bulleted items under the first line matching `heading`, each with its page.

    An item runs on over line and page breaks (running headers are already gone) until a
    new bullet, or a line that is not a bullet after an item that has ended its sentence.
    """
    items: list[PageText] = []
    started = False
    current: list[str] = []
    page_of_current = 0
    for page, line in text.lines():
        if not started:
            started = bool(heading.search(line))
            continue
        if line.startswith(BULLET):
            if current:
                items.append(PageText(text=" ".join(current), page=page_of_current))
            current, page_of_current = [line[len(BULLET) :].strip()], page
            continue
        if not current:
            if items or len(line) > 0 and not line[0].isupper():
                break
            continue  # an intro line before the first bullet
        continues = (
            not _SENTENCE_END.search(current[-1])
            or line[0].islower()
            or line.startswith("(")
        )
        if not continues:
            break
        current.append(line)
    if current:
        items.append(PageText(text=" ".join(current), page=page_of_current))
    return items

"""Pieces of report structure that several families share: council names, bullet lists
and numbered items under a heading, prose paragraphs of a section."""

import re

from extract.text import BULLET, DocumentText
from shared.councils import CouncilRecord, default_register
from shared.events import Council, PageText

_SENTENCE_END = re.compile(r"[.?!)”’\"]$")
_NUMBERED = re.compile(r"^(\d{1,2})[.)]\s+(.*)$")
MAX_INTRO_LINES = 3


def first_line_matching(text: DocumentText, pattern: re.Pattern[str], pages: int = 2) -> re.Match | None:
    for _, line in text.lines(1, pages):
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


def looks_like_heading(line: str) -> bool:
    """A short line, capitalised, with no closing punctuation: a section heading."""
    return (
        len(line) <= 70
        and line[:1].isupper()
        and not _SENTENCE_END.search(line)
        and not line.endswith((",", ";", ":"))
        and not line.startswith(BULLET)
    )


def _lines_after(text: DocumentText, heading: re.Pattern[str]) -> list[tuple[int, str]]:
    lines = text.lines()
    for index, (_, line) in enumerate(lines):
        if heading.search(line):
            return lines[index + 1 :]
    return []


def bullets_after(text: DocumentText, heading: re.Pattern[str]) -> list[PageText]:
    """The bulleted items under the first line matching `heading`, each with its page.

    An item runs on over line and page breaks (running headers are already gone) until a
    new bullet, or a line that is not a bullet after an item that has ended its sentence.
    """
    items: list[PageText] = []
    current: list[str] = []
    page_of_current = 0
    intro = 0
    for page, line in _lines_after(text, heading):
        if line.startswith(BULLET):
            if current:
                items.append(PageText(text=" ".join(current), page=page_of_current))
            current, page_of_current = [line[len(BULLET) :].strip()], page
            continue
        if not current:
            intro += 1
            if items or intro > MAX_INTRO_LINES:
                break
            continue  # an introduction before the first bullet
        continues = not _SENTENCE_END.search(current[-1]) or line[0].islower() or line.startswith("(")
        if not continues:
            break
        current.append(line)
    if current:
        items.append(PageText(text=" ".join(current), page=page_of_current))
    return items


def numbered_after(text: DocumentText, heading: re.Pattern[str]) -> list[PageText]:
    """Items numbered 1, 2, 3 ... under `heading`, until the numbering stops."""
    items: list[PageText] = []
    current: list[str] = []
    page_of_current = 0
    expected = 1
    for page, line in _lines_after(text, heading):
        m = _NUMBERED.match(line)
        if m and int(m.group(1)) == expected:
            if current:
                items.append(PageText(text=" ".join(current), page=page_of_current))
            current, page_of_current, expected = [m.group(2)], page, expected + 1
            continue
        if not current:
            continue
        if m:
            break  # another numbering (the next section's "3. ..."): the list has ended
        if looks_like_heading(line) and _SENTENCE_END.search(current[-1]):
            break
        current.append(line)
    if current:
        items.append(PageText(text=" ".join(current), page=page_of_current))
    return items


def paragraphs_after(text: DocumentText, heading: re.Pattern[str]) -> list[PageText]:
    """Prose paragraphs (with any bullets they introduce) under `heading`, until the next
    heading. A paragraph ends at a line that ends a sentence when the next line starts a
    new capitalised sentence that is not a bullet."""
    items: list[PageText] = []
    current: list[str] = []
    page_of_current = 0
    for page, line in _lines_after(text, heading):
        if heading.search(line):
            continue  # a repeated heading (PDFs often carry it twice: bookmark and text)
        if not current:
            if looks_like_heading(line):
                break
            current, page_of_current = [line], page
            continue
        ended = bool(_SENTENCE_END.search(current[-1]))
        if ended and looks_like_heading(line):
            break
        if ended and line[:1].isupper() and not line.startswith(BULLET):
            items.append(PageText(text=" ".join(current), page=page_of_current))
            current, page_of_current = [line], page
            continue
        current.append(line)
    if current:
        items.append(PageText(text=" ".join(current), page=page_of_current))
    return items

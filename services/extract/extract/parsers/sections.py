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


class _Items:
    """Items being collected: each opens on a line with its page, takes continuation lines
    (over page breaks too), and is closed when the next one opens or the list ends."""

    def __init__(self) -> None:
        self.done: list[PageText] = []
        self.lines: list[str] = []
        self.page = 0

    def open(self, line: str, page: int) -> None:
        self.close()
        self.lines, self.page = [line], page

    def add(self, line: str) -> None:
        self.lines.append(line)

    @property
    def last_line(self) -> str:
        return self.lines[-1] if self.lines else ""

    def close(self) -> list[PageText]:
        if self.lines:
            self.done.append(PageText(text=" ".join(self.lines), page=self.page))
            self.lines = []
        return self.done


def bullets_after(text: DocumentText, heading: re.Pattern[str]) -> list[PageText]:
    """The bulleted items under the first line matching `heading`, each with its page.

    An item runs on over line and page breaks (running headers are already gone) until a
    new bullet, or a line that is not a bullet after an item that has ended its sentence.
    """
    items = _Items()
    intro = 0
    for page, line in _lines_after(text, heading):
        if line.startswith(BULLET):
            items.open(line[len(BULLET) :].strip(), page)
        elif not items.lines:
            intro += 1
            if items.done or intro > MAX_INTRO_LINES:
                break  # an introduction of a few lines may come before the first bullet
        elif not _SENTENCE_END.search(items.last_line) or line[0].islower() or line.startswith("("):
            items.add(line)
        else:
            break
    return items.close()


def numbered_after(text: DocumentText, heading: re.Pattern[str]) -> list[PageText]:
    """Items numbered 1, 2, 3 ... under `heading`, until the numbering stops."""
    items = _Items()
    for page, line in _lines_after(text, heading):
        m = _NUMBERED.match(line)
        if m and int(m.group(1)) == len(items.done) + bool(items.lines) + 1:
            items.open(m.group(2), page)
        elif not items.lines:
            continue
        elif m or (looks_like_heading(line) and _SENTENCE_END.search(items.last_line)):
            break  # another numbering (the next section's "3. ...") or a heading: the list ended
        else:
            items.add(line)
    return items.close()


def paragraphs_after(text: DocumentText, heading: re.Pattern[str]) -> list[PageText]:
    """Prose paragraphs (with any bullets they introduce) under `heading`, until the next
    heading. A paragraph ends at a line that ends a sentence when the next line starts a
    new capitalised sentence that is not a bullet."""
    items = _Items()
    for page, line in _lines_after(text, heading):
        if heading.search(line):
            continue  # a repeated heading (PDFs often carry it twice: bookmark and text)
        ended = not items.lines or bool(_SENTENCE_END.search(items.last_line))
        if ended and looks_like_heading(line):
            break
        if not items.lines or (ended and line[:1].isupper() and not line.startswith(BULLET)):
            items.open(line, page)
        else:
            items.add(line)
    return items.close()

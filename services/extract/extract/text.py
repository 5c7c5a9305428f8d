"""A document as lines per page, whatever it came from (PDF, saved HTML page, API JSON)."""

import re
from dataclasses import dataclass, field
from typing import Any

# Bullet glyphs as different producers encode them, all mapped to one marker.
BULLET = "•"
_BULLETS = re.compile(r"^\s*(?:◼|■|▪|•|\uf0b7|\uf0a7|\x7f|\(cid:127\)|●|○|–(?=\s))\s*")


def normalise_line(line: str) -> str:
    line = line.replace("\ufffe", "-").replace("\u00ad", "-").replace("\xa0", " ")
    line = _BULLETS.sub(BULLET + " ", line)
    return re.sub(r"[ \t]+", " ", line).strip()


@dataclass
class DocumentText:
    """Lines per page (page 1 is `pages[0]`); `data` holds structured input (API JSON)."""

    pages: list[list[str]]
    media_type: str = "application/pdf"
    data: Any = field(default=None, repr=False)
    # The title the file declares (PDF metadata, HTML <title>); often empty or a file name.
    declared_title: str = ""

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def lines(self, first: int = 1, last: int | None = None) -> list[tuple[int, str]]:
        """(page number, line) over a range of pages, in reading order."""
        last = min(last or self.page_count, self.page_count)
        return [(i + 1, line) for i in range(first - 1, last) for line in self.pages[i]]

    def head(self, count: int = 12) -> str:
        """The first lines of page 1, joined: where titles and front matter are."""
        return " ".join(self.pages[0][:count]) if self.pages else ""

    def title_from(self, index: int = 0) -> str:
        """The title starting at line `index` of page 1, with the lines a large title font
        wrapped it onto: those that keep it a prefix of the declared title."""
        lines = self.pages[0][index:] if self.pages else []
        if not lines:
            return ""
        declared = " ".join(self.declared_title.split())
        title = lines[0]
        for line in lines[1:4]:
            longer = f"{title} {line}"
            if not declared.startswith(longer):
                break
            title = longer
        return title

    def all_text(self) -> str:
        return "\n".join(line for _, line in self.lines())

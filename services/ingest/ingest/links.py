"""What a listing page holds: its links (href made absolute, text, classes, any hidden label
inside, the heading above) and its list items under each heading."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin


@dataclass
class Link:
    href: str
    text: str = ""
    classes: set[str] = field(default_factory=set)
    hidden_label: str = ""  # <span class="nonvisual"> inside the anchor (Ofsted)
    section: str = ""  # the last heading above the link


class _Links(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[Link] = []
        self._open: Link | None = None
        self._in_hidden = 0
        self._heading: list[str] | None = None
        self._section = ""
        self.items: list[tuple[str, str]] = []  # (heading above, text of an <li>)
        self._item: list[str] | None = None
        self._li_classes: set[str] = set()

    def handle_starttag(self, tag: str, attrs) -> None:  # noqa: ANN001
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if tag == "a" and a.get("href"):
            # The classes of the enclosing <li> count too, as "li.<class>" (`li.next a`).
            classes |= {f"li.{c}" for c in self._li_classes}
            self._open = Link(urljoin(self.base, a["href"]), classes=classes, section=self._section)
        elif tag == "span" and self._open is not None and ("nonvisual" in classes or self._in_hidden):
            self._in_hidden += 1
        elif tag in ("h1", "h2", "h3", "h4"):
            self._heading = []
        elif tag == "li":
            self._item = []
            self._li_classes = classes

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self._open.text = " ".join(self._open.text.split())
            self._open.hidden_label = " ".join(self._open.hidden_label.split())
            self.links.append(self._open)
            self._open = None
            self._in_hidden = 0
        elif tag == "span" and self._in_hidden:
            self._in_hidden -= 1
        elif tag in ("h1", "h2", "h3", "h4") and self._heading is not None:
            self._section = " ".join("".join(self._heading).split())
            self._heading = None
        elif tag == "li" and self._item is not None:
            self._li_classes = set()
            self.items.append((self._section, " ".join("".join(self._item).split())))
            self._item = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        if self._item is not None:
            self._item.append(data)
        if self._open is not None:
            if self._in_hidden:
                self._open.hidden_label += data
            else:
                self._open.text += data


def _parse(html: bytes | str, base: str) -> _Links:
    parser = _Links(base)
    parser.feed(html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html)
    parser.close()
    return parser


def links_in(html: bytes | str, base: str) -> list[Link]:
    return _parse(html, base).links


def items_under(html: bytes | str, heading_contains: str) -> list[str]:
    """Texts of the list items below a heading containing `heading_contains` (any case)."""
    wanted = heading_contains.lower()
    return [text for section, text in _parse(html, "").items if wanted in section.lower() and text]


def next_page(links: list[Link]) -> str | None:
    """The pagination's "next" link (`li.next a`, `a.pagination__next`, rel/text "Next")."""
    for link in links:
        if link.classes & {"pagination__next", "next", "li.next"} or link.text.lower().startswith("next"):
            return link.href
    return None

"""Saved HTML pages (CQC council assessment pages, LGA case studies) as lines of text.

Block elements become lines, list items become bullets, scripts, styles and navigation are
dropped. The result is one "page": the page citation of a web page is 1.
"""

from html.parser import HTMLParser

from extract.text import BULLET, DocumentText, normalise_line

_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "dt", "dd",
           "section", "article", "header", "footer", "br", "title", "span", "dl", "ul", "ol", "table"}
_SKIP = {"script", "style", "noscript", "nav", "svg", "template"}


class _Lines(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.title = ""
        self._buf: list[str] = []
        self._skip = 0
        self._in_title = False

    def _flush(self) -> None:
        text = normalise_line("".join(self._buf))
        if text:
            self.lines.append(text)
        self._buf = []

    def handle_starttag(self, tag: str, attrs) -> None:  # noqa: ANN001
        self._in_title = tag == "title"
        if tag in _SKIP:
            self._skip += 1
        elif tag in _BLOCKS and tag != "span":
            self._flush()
            if tag == "li" and not self._skip:
                self._buf.append(BULLET + " ")

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS and tag != "span":
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if not self._skip:
            self._buf.append(data.replace("\n", " "))


def read_html(data: bytes) -> DocumentText:
    parser = _Lines()
    parser.feed(data.decode("utf-8", errors="replace"))
    parser.close()
    parser._flush()
    lines = [line for line in parser.lines if line != BULLET]
    return DocumentText([lines], media_type="text/html", declared_title=normalise_line(parser.title))

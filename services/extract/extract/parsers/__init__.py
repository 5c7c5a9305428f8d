"""One module per document family. Each has `matches(text)` and `parse(text, data)`;
`parse_document` tries them in order and returns the findings fields they found."""

from typing import Any

from extract.parsers import area_send, ofsted_focused_visit, ofsted_ilacs
from extract.pdf import PdfText

PARSER_VERSION = "1"
FAMILIES = (ofsted_ilacs, ofsted_focused_visit, area_send)


def parse_document(text: PdfText, data: bytes) -> dict[str, Any]:
    for family in FAMILIES:
        if family.matches(text):
            return family.parse(text, data)
    return {"document_type": "unknown"}

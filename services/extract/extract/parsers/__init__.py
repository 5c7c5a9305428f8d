"""One module per document family. Each has `matches(text)` and `parse(text, data)`;
`parse_document` tries them in order and returns the findings fields of the first match."""

from typing import Any

from extract.parsers import (
    area_send,
    cqc_la_assessment,
    cqc_location,
    lga_case_study,
    lga_peer_challenge,
    ofsted_ilacs,
    ofsted_letters,
    ofsted_sif,
)
from extract.text import DocumentText

PARSER_VERSION = "2"
# Most specific first: an LGA case study matches on the publisher line alone.
FAMILIES = (
    ofsted_ilacs,
    ofsted_sif,
    ofsted_letters,
    area_send,
    cqc_la_assessment,
    cqc_location,
    lga_peer_challenge,
    lga_case_study,
)


def parse_document(text: DocumentText, data: bytes) -> dict[str, Any]:
    for family in FAMILIES:
        if family.matches(text):
            return family.parse(text, data)
    return {"document_type": "unknown"}

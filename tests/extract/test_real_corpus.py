"""The real Ofsted reports in ../shared/corpus/real against their expected.json."""

import json
import re

import pytest

from extract.findings import extract_findings
from tests.conftest import CORPUS, corpus_path

GRADES = {"Outstanding": "outstanding", "Good": "good", "Requires improvement to be good": "requires_improvement",
          "Inadequate": "inadequate"}


def expected() -> dict:
    path = CORPUS / "real" / "expected.json"
    return json.loads(path.read_text()) if path.exists() else {}


ILACS = [k for k, v in expected().items() if isinstance(v, dict) and v.get("kind") == "ilacs_inspection"] or ["absent"]


def _norm(text: str) -> str:
    # The expected texts were read with pdfplumber, which keeps a line break after a
    # hyphen ("pre- proceedings"); the words are the same.
    return re.sub(r"-\s+", "-", " ".join(text.split()))


@pytest.mark.parametrize("name", ILACS)
def test_ilacs_report_gives_expected_fields(name: str):
    pdf = corpus_path("real", name)
    truth = expected()[name]
    findings = extract_findings(pdf.read_bytes(), str(pdf))

    assert findings.error is None
    assert findings.document_type == "ilacs_inspection"
    assert findings.judgements == {k: GRADES[v] for k, v in truth["judgements"].items() if v}
    assert findings.inspection_start.isoformat() == truth["inspection_start"]
    assert findings.inspection_end.isoformat() == truth["inspection_end"]
    assert findings.inspection_type == truth["inspection_type"]
    assert findings.lead_inspector == truth["lead_inspector"]
    assert findings.pages == truth["pages"]
    assert findings.council.name.lower() == truth["local_authority"].lower()
    if "gss_code" in truth:
        assert findings.council.gss_code == truth["gss_code"]
    if "what_needs_to_improve" in truth:
        assert [_norm(i.text) for i in findings.improvements] == [_norm(t) for t in truth["what_needs_to_improve"]]
    if "what_needs_to_improve_count" in truth:
        assert len(findings.improvements) == truth["what_needs_to_improve_count"]
    assert all(i.page >= 2 for i in findings.improvements)


def test_darlington_2022_gives_combined_care_row():
    pdf = corpus_path("real", "ofsted", "ilacs_darlington_2022-12-02.pdf")
    findings = extract_findings(pdf.read_bytes())
    assert findings.judgements == {"impact_of_leaders": "good", "help_and_protection": "good",
                                   "children_in_care_and_care_leavers": "outstanding",
                                   "overall_effectiveness": "good"}
    assert findings.council.gss_code == "E06000005"


def test_tameside_footer_does_not_leak_into_bullets():
    pdf = corpus_path("real", "ofsted", "ilacs_tameside_2024-02-13.pdf")
    findings = extract_findings(pdf.read_bytes())
    assert len(findings.improvements) == 13
    for item in findings.improvements:
        assert "Inspection of Tameside" not in item.text
        assert "December 2023" not in item.text
    assert {i.page for i in findings.improvements} == {2, 3}


def test_focused_visit_letter():
    pdf = corpus_path("real", "ofsted", "focused-visit_darlington_2023-11-28.pdf")
    truth = expected()["ofsted/focused-visit_darlington_2023-11-28.pdf"]
    findings = extract_findings(pdf.read_bytes())
    assert findings.document_type == "ilacs_focused_visit"
    assert findings.judgements == {}
    assert findings.council.gss_code == "E06000005"
    assert findings.model_extra["inspectors"] == truth["inspectors"]
    assert findings.model_extra["theme"] == truth["visit_theme"]
    assert [_norm(i.text) for i in findings.improvements] == [_norm(t) for t in truth["what_needs_to_improve"]]
    # The letter's typo "24 October 2022 to 25 October 2023" is read as a two-day visit.
    assert (findings.inspection_start.isoformat(), findings.inspection_end.isoformat()) == ("2023-10-24", "2023-10-25")


def test_area_send_outcome():
    pdf = corpus_path("real", "ofsted", "area-send_darlington_2025-02-04.pdf")
    findings = extract_findings(pdf.read_bytes())
    assert findings.document_type == "area_send_inspection"
    assert findings.send_outcome == "inconsistent"
    assert findings.council.gss_code == "E06000005"
    assert findings.inspection_start.isoformat() == "2024-11-25"

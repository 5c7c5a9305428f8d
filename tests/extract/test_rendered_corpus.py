"""The rendered seed documents in ../shared/corpus/rendered against their expected files."""

import json

import pytest

from extract.findings import extract_findings
from extract.grades import ilacs_judgement_key, normalise_grade
from tests.conftest import CORPUS, corpus_path

NAMES = sorted(p.name for p in (CORPUS / "rendered").glob("0*.pdf")) or ["absent"]


@pytest.mark.parametrize("name", NAMES)
def test_rendered_document(name: str):
    pdf = corpus_path("rendered", name)
    truth_file = pdf.with_name(pdf.name.replace("_borderless", "").replace(".pdf", ".expected.json"))
    truth = json.loads(truth_file.read_text())
    f = extract_findings(pdf.read_bytes())
    assert f.pages == truth["pages"]
    kind = truth["kind"]
    if kind == "cqc_assessment":
        assert f.document_type == "cqc_la_assessment"
        assert f.title == truth["title"]
        assert list(f.scores.values()) == [truth["score"]]
        key_findings = f.model_extra["key_findings"]
        assert len(key_findings) >= 3 and key_findings[0]["page"] == 2  # the section opens page 2
        assert all("Page " not in k["text"] and "Care Quality Commission" not in k["text"] for k in key_findings)
    elif kind == "lga_case_study":
        assert f.document_type == "lga_case_study"
        assert f.title == truth["title"] and f.council.gss_code == "E06000005"
    elif kind == "ofsted_ilacs":
        rows = truth["judgement_table"][1:]
        assert f.judgements == {ilacs_judgement_key(label): normalise_grade(grade) for label, grade in rows}
        assert [i.text for i in f.improvements] == truth["what_needs_to_improve"]
        assert f.lead_inspector == truth["lead_inspector"].split(",")[0]
    else:
        assert f.document_type == "unknown"  # a news article about a report is not a report

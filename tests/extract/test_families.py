"""Every document family, on documents generated in the publishers' layouts."""

import json
from datetime import date

import pytest

from councilwatch.samples import (
    area_send_report,
    case_study_html,
    focused_visit_letter,
    jtai_letter,
    la_assessment_html,
    la_assessment_pdf,
    location_record,
    location_report_pdf,
    monitoring_visit_letter,
    peer_challenge_report,
    sif_report,
)
from councilwatch.samples.cqc import QUALITY_STATEMENTS
from extract.findings import extract_findings
from shared.media import HTML, JSON


def test_focused_visit_letter():
    f = extract_findings(focused_visit_letter(council="Croydon", start=date(2025, 5, 13), end=date(2025, 5, 14),
                                              theme="care leavers", improvements=["One.", "Two things."]))
    assert f.document_type == "ilacs_focused_visit" and f.judgements == {}
    assert f.council.gss_code == "E09000008"
    assert (f.inspection_start, f.inspection_end) == (date(2025, 5, 13), date(2025, 5, 14))
    assert f.model_extra["theme"] == "care leavers"
    assert [(i.text, i.page) for i in f.improvements] == [("One.", 2), ("Two things.", 2)]


def test_monitoring_visit_letter():
    f = extract_findings(monitoring_visit_letter(council="Tameside", number="fourth"))
    assert f.document_type == "ilacs_monitoring_visit"
    assert f.council.gss_code == "E08000008"
    assert f.model_extra["monitoring_visit_number"] == "fourth"
    assert f.model_extra["inspectors"] == ["Andy Example", "Sam Example"]
    assert len(f.model_extra["areas_covered"]) == 2
    assert f.inspection_end == date(2024, 3, 7)


def test_jtai_letter():
    f = extract_findings(jtai_letter(council="Leeds", theme="children at risk of exploitation"))
    assert f.document_type == "jtai"
    assert f.council.gss_code == "E08000035"
    assert f.model_extra["theme"] == "children at risk of exploitation"
    assert (f.inspection_start, f.inspection_end) == (date(2023, 11, 6), date(2023, 11, 10))
    assert len(f.improvements) == 2 and len(f.model_extra["strengths"]) == 1


@pytest.mark.parametrize(("outcome", "months"),
                         [("positive", None), ("inconsistent", 36), ("significant_concerns", 18)])
def test_area_send_outcomes(outcome, months):
    f = extract_findings(area_send_report(council="Stockton-on-Tees", outcome=outcome))
    assert f.document_type == "area_send_inspection"
    assert f.send_outcome == outcome
    assert f.council.gss_code == "E06000004"
    assert f.model_extra.get("next_inspection_months") == months
    assert [i.text[:20] for i in f.improvements] == ["Leaders should stren", "Leaders in health sh"]
    assert all(i.page == 2 for i in f.improvements)


def test_sif_report_grades_what_it_grades():
    f = extract_findings(sif_report(council="Tameside"))
    assert f.document_type == "ilacs_inspection"
    assert f.model_extra["framework"] == "sif"
    assert f.judgements == {
        "overall_effectiveness": "inadequate", "help_and_protection": "inadequate",
        "children_looked_after_and_achieving_permanence": "inadequate",
        "adoption_performance": "requires_improvement", "care_leavers": "requires_improvement",
        "leadership_management_and_governance": "inadequate", "lscb_effectiveness": "requires_improvement",
    }
    assert f.published == date(2016, 12, 8)
    assert (f.inspection_start, f.inspection_end) == (date(2016, 9, 12), date(2016, 10, 6))


def _scores(**changes: int) -> dict[str, int]:
    return {key: 3 for key, _ in QUALITY_STATEMENTS} | changes


@pytest.mark.parametrize(
    ("scores", "percent", "rating"),
    [
        (_scores(partnerships_and_communities=4), 78, "good"),
        (_scores(assessing_needs=2, safeguarding=2, equity_in_experience_and_outcomes=1), 64, "good"),
        ({key: 2 for key, _ in QUALITY_STATEMENTS}, 50, "requires_improvement"),
        ({key: 4 for key, _ in QUALITY_STATEMENTS}, 100, "outstanding"),
    ],
)
def test_cqc_assessment_page_and_pdf_agree(scores, percent, rating):
    page = extract_findings(la_assessment_html(council="Kent County Council", scores=scores), media_type=HTML)
    pdf = extract_findings(la_assessment_pdf(council="Kent County Council", scores=scores))
    for f in (page, pdf):
        assert f.document_type == "cqc_la_assessment" and f.source == "cqc"
        assert f.council.gss_code == "E10000016"
        assert f.scores == scores
        assert (f.percent, f.rating) == (percent, rating)
        assert f.published == date(2024, 5, 17)
        assert f.improvements
    assert page.improvements[0].page == 1 and pdf.improvements[0].page == 2
    assert page.model_extra["strengths"]


def test_cqc_location_record_from_the_api():
    f = extract_findings(json.dumps(location_record(local_authority="Bournemouth, Christchurch and Poole")).encode(),
                         media_type=JSON)
    assert f.document_type == "cqc_location_report"
    assert f.council.gss_code == "E06000058"
    assert f.rating == "outstanding"
    assert f.judgements["well_led"] == "outstanding" and f.judgements["safe"] == "good"
    assert f.published == date(2019, 10, 31)


def test_cqc_location_report_pdf():
    f = extract_findings(location_report_pdf(overall_rating="requires_improvement", local_authority=None))
    assert f.document_type == "cqc_location_report"
    assert f.rating == "requires_improvement"
    assert f.judgements == {"safe": "good", "effective": "good", "caring": "outstanding",
                            "responsive": "good", "well_led": "requires_improvement"}
    assert f.council is None  # the report does not say; ingest supplies the API's council


def test_lga_peer_challenge_report():
    recs = [f"Recommendation number {n} for the council to act on." for n in range(1, 8)]
    f = extract_findings(peer_challenge_report(council="Chelmsford City Council", recommendations=recs))
    assert f.document_type == "lga_peer_challenge" and f.source == "lga"
    assert f.council.gss_code == "E07000070"
    assert [i.text for i in f.improvements] == recs
    assert len(f.model_extra["core_elements"]) == 5
    assert (f.inspection_start, f.inspection_end) == (date(2023, 10, 10), date(2023, 10, 13))


def test_lga_case_study_page():
    f = extract_findings(case_study_html(council="Kingston Council", headline="using AI in adult social care"),
                         media_type=HTML)
    assert f.document_type == "lga_case_study"
    assert f.council.gss_code == "E09000021"
    assert f.model_extra["topic"] == "Adult social care"
    assert f.published == date(2024, 3, 12)


def test_unknown_document():
    f = extract_findings(b"<html><body><p>Opening hours</p></body></html>", media_type=HTML)
    assert f.document_type == "unknown" and f.error is None

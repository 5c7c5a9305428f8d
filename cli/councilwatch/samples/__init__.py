"""Generated publications in the real layouts of each publisher, for `make demo` and the
tests' fixtures (no real document is copied into the repository)."""

from councilwatch.samples.cqc import la_assessment_html, la_assessment_pdf, location_record, location_report_pdf
from councilwatch.samples.lga import case_study_html, peer_challenge_report
from councilwatch.samples.ofsted import (
    area_send_report,
    focused_visit_letter,
    ilacs_report,
    jtai_letter,
    monitoring_visit_letter,
    sif_report,
)

__all__ = [
    "area_send_report", "case_study_html", "focused_visit_letter", "ilacs_report", "jtai_letter",
    "la_assessment_html", "la_assessment_pdf", "location_record", "location_report_pdf",
    "monitoring_visit_letter", "peer_challenge_report", "sif_report",
]

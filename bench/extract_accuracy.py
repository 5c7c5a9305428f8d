"""Per-field accuracy of extraction against the expected values in ../shared/corpus.

    .venv/bin/python bench/extract_accuracy.py

Reads ../shared/corpus/real/expected.json (real Ofsted reports) and the rendered seed
documents' *.expected.json, extracts each PDF with the production path and prints, per
field, how many documents got it right. Nothing here feeds the parser: the expected files
are only compared against, after extraction.
"""

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from figures import Row  # noqa: E402

from extract.findings import extract_findings  # noqa: E402
from extract.grades import ilacs_judgement_key, normalise_grade  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
KINDS = {"area_send_full_inspection": "area_send_inspection", "cqc_assessment": "cqc_la_assessment",
         "ofsted_ilacs": "ilacs_inspection", "news_article": "unknown"}


def words(text: str) -> str:
    return re.sub(r"-\s+", "-", " ".join(text.replace("'", "’").split()))


def check(results: dict, field: str, ok: bool, doc: str) -> None:
    results[field].append((ok, doc))


def score_real(results: dict) -> int:
    path = CORPUS / "real" / "expected.json"
    if not path.exists():
        return 0
    truth_all = json.loads(path.read_text())
    count = 0
    for name, truth in truth_all.items():
        if not isinstance(truth, dict) or not name.endswith(".pdf"):
            continue
        count += 1
        f = extract_findings((CORPUS / "real" / name).read_bytes())
        check(results, "document_type", f.document_type == KINDS.get(truth["kind"], truth["kind"]), name)
        check(results, "pages", f.pages == truth["pages"], name)
        if f.council is not None and "gss_code" in truth:
            check(results, "council", f.council.gss_code == truth["gss_code"], name)
        else:
            same_council = bool(f.council) and f.council.name.lower() == truth["local_authority"].lower()
            check(results, "council", same_council, name)
        for key in ("inspection_start", "inspection_end"):
            if truth.get(key):
                check(results, "dates", str(getattr(f, key)) == truth[key], name)
        if truth.get("inspection_type"):
            check(results, "inspection_type", f.inspection_type == truth["inspection_type"], name)
        if truth.get("lead_inspector"):
            check(results, "lead_inspector", f.lead_inspector == truth["lead_inspector"], name)
        if truth.get("inspectors"):
            check(results, "lead_inspector", f.model_extra.get("inspectors") == truth["inspectors"], name)
        for key, grade in (truth.get("judgements") or {}).items():
            expected = normalise_grade(grade) if grade else None
            check(results, "grades", f.judgements.get(key) == expected, f"{name}:{key}")
        if truth.get("judgements") is None and truth["kind"] != "ilacs_inspection":
            check(results, "grades", f.judgements == {}, f"{name}: no grades")
        if "outcome" in truth:
            expected = next(o for o in ("positive", "inconsistent", "significant_concerns")
                            if o.replace("_", " ") in truth["outcome"])
            check(results, "send_outcome", f.send_outcome == expected, name)
        got = [words(i.text) for i in f.improvements]
        if "what_needs_to_improve" in truth:
            for item in truth["what_needs_to_improve"]:
                check(results, "improvements", words(item) in got, name)
        if "what_needs_to_improve_count" in truth:
            check(results, "improvements", len(got) == truth["what_needs_to_improve_count"], name)
    return count


def score_rendered(results: dict) -> int:
    count = 0
    for truth_path in sorted((CORPUS / "rendered").glob("*.expected.json")):
        truth = json.loads(truth_path.read_text())
        pdfs = [truth_path.with_name(truth_path.name.replace(".expected.json", ".pdf"))]
        pdfs += [p for p in [pdfs[0].with_name(pdfs[0].stem + "_borderless.pdf")] if p.exists()]
        for pdf in pdfs:
            count += 1
            f = extract_findings(pdf.read_bytes())
            name = pdf.name
            check(results, "document_type", f.document_type == KINDS.get(truth["kind"], truth["kind"]), name)
            check(results, "pages", f.pages == truth["pages"], name)
            if truth["kind"] != "news_article":
                check(results, "title", words(f.title or "") == words(truth["title"]), name)
            if "score" in truth:
                check(results, "scores", list(f.scores.values()) == [truth["score"]], name)
            if "judgement_table" in truth:
                for label, grade in truth["judgement_table"][1:]:
                    key = ilacs_judgement_key(label)
                    check(results, "grades", f.judgements.get(key) == normalise_grade(grade), f"{name}:{key}")
            if "inspection_dates" in truth:
                check(results, "dates", f.inspection_start is not None and f.inspection_end is not None, name)
            if "lead_inspector" in truth:
                check(results, "lead_inspector", f.lead_inspector == truth["lead_inspector"].split(",")[0], name)
            got = [words(i.text) for i in f.improvements]
            for item in truth.get("what_needs_to_improve", []):
                check(results, "improvements", words(item) in got, name)
    return count


def main(argv: list[str] | None = None) -> list[Row]:
    results: dict[str, list] = defaultdict(list)
    real, rendered = score_real(results), score_rendered(results)
    if not real and not rendered:
        print("../shared/corpus is absent: nothing to score")
        return [Row("extract accuracy", "field checks", "skipped: ../shared/corpus absent")]
    print(f"documents: {real} real (Ofsted), {rendered} rendered (Ofsted, CQC, LGA, news)")
    print(f"{'field':<18}{'right':>7}{'of':>5}{'accuracy':>10}")
    total_ok = total = 0
    for field in sorted(results):
        marks = results[field]
        ok = sum(1 for good, _ in marks if good)
        total_ok, total = total_ok + ok, total + len(marks)
        print(f"{field:<18}{ok:>7}{len(marks):>5}{ok / len(marks):>10.1%}")
        for good, doc in marks:
            if not good:
                print(f"    wrong: {doc}")
    print(f"{'all fields':<18}{total_ok:>7}{total:>5}{total_ok / total:>10.1%}")
    grades = results.get("grades", [])
    return [
        Row("extract accuracy", f"field checks right ({real} real + {rendered} rendered docs)",
            f"{total_ok}/{total}", "", total_ok / total),
        Row("extract accuracy", "grades right", f"{sum(g for g, _ in grades)}/{len(grades)}", "",
            sum(g for g, _ in grades) / max(1, len(grades))),
    ]


if __name__ == "__main__":
    main()

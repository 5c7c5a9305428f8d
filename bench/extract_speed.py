"""Findings extraction speed against raw pypdfium2 text speed, measured in the same run.

    .venv/bin/python bench/extract_speed.py [--rounds 5]

Corpus: the real Ofsted PDFs in ../shared/corpus/real/ofsted (and the rendered ones in
../shared/corpus/rendered) when present, else generated reports. Prints pages/s for
  raw     pypdfium2 text of every page (the ceiling),
  inproc  the findings path (`extract_findings`) in this process,
  sandbox the findings path through the sandbox child (what the worker runs),
their ratios to raw, and the sandbox child's peak RSS.
"""

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from figures import Row  # noqa: E402

from extract.findings import extract_findings  # noqa: E402
from extract.sandbox import Sandbox  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"


def corpus() -> list[tuple[str, bytes]]:
    files = sorted((CORPUS / "real" / "ofsted").glob("*.pdf")) + sorted(
        p for p in (CORPUS / "rendered").glob("*.pdf") if not p.name.startswith("concat")
    )
    if files:
        return [(p.name, p.read_bytes()) for p in files]
    from councilwatch.samples import ilacs_report

    print("(../shared/corpus absent: generated reports)")
    return [(f"generated-{i}", ilacs_report(marker=str(i), body_pages=8)) for i in range(8)]


def raw_text(data: bytes) -> int:
    doc = pdfium.PdfDocument(data)
    for page in doc:
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
    count = len(doc)
    doc.close()
    return count


def one_pass(fn, docs) -> float:  # noqa: ANN001
    """Pages/s of one pass of the whole corpus."""
    pages, started = 0, time.perf_counter()
    for _, data in docs:
        pages += fn(data)
    return pages / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    docs = corpus()
    pages = sum(raw_text(d) for _, d in docs)  # also warms pdfium up
    for _, data in docs:
        extract_findings(data)  # warm: imports, council register, regexes

    box = Sandbox(memory_limit_mb=1536, timeout_s=60, max_pages=2000)
    box.run(docs[0][1])
    paths = {
        "raw": raw_text,
        "inproc": lambda d: extract_findings(d).pages or 0,
        "sandbox": lambda d: box.run(d).pages or 0,
    }
    # Rounds interleave the paths, so drift in the machine's load hits all three alike.
    rates: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(args.rounds):
        for name, fn in paths.items():
            rates[name].append(one_pass(fn, docs))
    box.close()
    raw, inproc, sandbox = (statistics.median(rates[n]) for n in ("raw", "inproc", "sandbox"))
    child_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    print(f"corpus: {len(docs)} documents, {pages} pages; median of {args.rounds} passes")
    print(f"{'path':<34}{'pages/s':>10}{'ratio to raw':>14}")
    print(f"{'raw pypdfium2 text (reference)':<34}{raw:>10.0f}{1:>14.2f}")
    print(f"{'findings, in process':<34}{inproc:>10.0f}{inproc / raw:>14.2f}")
    print(f"{'findings, through the sandbox':<34}{sandbox:>10.0f}{sandbox / raw:>14.2f}")
    print(f"sandbox child peak RSS: {child_peak_mb:.0f} MB")
    reference = f"raw pypdfium2 {raw:.0f} pages/s"
    corpus_name = f"{len(docs)} docs, {pages} pages"
    return [
        Row("extract speed", f"findings in process ({corpus_name})", f"{inproc:.0f} pages/s", reference, inproc / raw),
        Row("extract speed", "findings through the sandbox child", f"{sandbox:.0f} pages/s", reference, sandbox / raw),
    ]


if __name__ == "__main__":
    main()

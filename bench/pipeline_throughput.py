"""Pipeline throughput through real Redis, SQLite and loopback HTTP, with one and with two
extract workers, against the raw pypdfium2 text rate of the same PDFs in the same run.

    .venv/bin/python bench/pipeline_throughput.py [--documents 200]

Each run uploads every (generated) report as fast as ingest takes them, then waits until
the store has recorded findings for all; documents/s and pages/s are over that span. Run
on a 2-core machine, two workers share the cores with ingest, store and Redis.
"""

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pypdfium2
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from figures import Row, peak_rss_mb  # noqa: E402
from harness import service_env  # noqa: E402

from councilwatch.processes import Services  # noqa: E402
from councilwatch.samples import ilacs_report  # noqa: E402


def raw_text_rate(pdfs: list[bytes]) -> tuple[float, int]:
    """Pages per second of bare pypdfium2 text extraction: the floor no pipeline beats."""
    pages = 0
    started = time.perf_counter()
    for data in pdfs:
        doc = pypdfium2.PdfDocument(data)
        for page in doc:
            page.get_textpage().get_text_range()
            pages += 1
        doc.close()
    return pages / (time.perf_counter() - started), pages


def run(pdfs: list[bytes], workers: int, redis_url: str) -> tuple[float, dict[str, float]]:
    redis.Redis.from_url(redis_url).flushdb()
    with tempfile.TemporaryDirectory() as tmp:
        env = service_env(redis_url, tmp, INGEST_SOURCES="")
        database = env["DATABASE_URL"]
        services = Services.on_free_ports(env, log_dir=Path(tmp))
        try:
            services.start_all()
            for n in range(1, workers):
                services.start("extract", unique_consumer=True, key=f"extract-{n}", EXTRACT_PORT="0")
            ingest = services.url("ingest")
            engine_url = database.replace("sqlite:///", "")
            import sqlite3

            def done() -> int:
                with sqlite3.connect(engine_url) as conn:
                    return conn.execute("SELECT count(*) FROM document WHERE status IN ('extracted', 'failed')"
                                        ).fetchone()[0]

            started = time.perf_counter()
            with httpx.Client(timeout=60) as client, ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda pdf: client.post(f"{ingest}/documents",
                                                      files={"file": ("r.pdf", pdf, "application/pdf")}), pdfs))
            while done() < len(pdfs):
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            memory = {name: peak_rss_mb(proc.pid) for name, proc in services.procs.items()}
        finally:
            services.stop_all()
    return elapsed, memory


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args(argv)
    pdfs = [ilacs_report(council="Tameside", marker=f"throughput {i} {time.time()}") for i in range(args.documents)]
    raw_rate, pages = raw_text_rate(pdfs)
    print(f"pipeline throughput: {args.documents} generated ILACS reports, {pages} pages, real Redis + SQLite")
    print(f"{'path':<44}{'docs/s':>8}{'pages/s':>9}{'ratio':>7}")
    print(f"{'raw pypdfium2 text, one process (reference)':<44}{raw_rate / (pages / len(pdfs)):>8.1f}"
          f"{raw_rate:>9.0f}{1:>7.2f}")
    rows = []
    reference = f"raw pypdfium2 text {raw_rate:.0f} pages/s"
    for workers in (1, 2):
        elapsed, memory = run(pdfs, workers, args.redis_url)
        rate = pages / elapsed
        print(f"{f'upload → findings stored, {workers} extract worker(s)':<44}{len(pdfs) / elapsed:>8.1f}"
              f"{rate:>9.0f}{rate / raw_rate:>7.2f}")
        print("    peak RSS: " + ", ".join(f"{n} {mb:.0f} MB" for n, mb in memory.items()))
        rows.append(Row("pipeline throughput", f"{len(pdfs)} reports, {workers} extract worker(s)",
                        f"{len(pdfs) / elapsed:.0f} docs/s, {rate:.0f} pages/s", reference, rate / raw_rate))
        rows += [Row("memory", name, f"{mb:.0f} MB") for name, mb in memory.items()]
    return rows


if __name__ == "__main__":
    main()

"""How cost grows with volume: 100 → 1,000 → 10,000 documents through the real pipeline
(Redis, SQLite, loopback HTTP, one subscriber receiving every webhook).

    .venv/bin/python bench/cost_growth.py [--sizes 100,1000,10000] [--trim-s 1]

Each size is a fresh run: a flushed Redis database, a new SQLite store, the three services.
The documents are small generated ILACS reports (one body page, 3 pages in all), spread
over every children's services council, so each council's history grows as it would. They
are uploaded by four threads, paced so that at most `--window` are in flight (uploaded,
webhook not yet received): a steady flow, as from publishers, rather than one burst.

Per size it prints the time per document (whole run, and its first and last tenth, so a
slowdown within the run shows), peak RSS per service, Redis memory (the most the server
held above its starting point, sampled) and stream lengths, the most held during the run
and at the end. Streams are trimmed below what every group has acked (shared.trimming,
every `--trim-s`), with no length cap: Redis should hold the backlog in flight, not the
history, so its memory should not grow with the number of documents. The run checks that
every document's webhook came, once.
"""

import argparse
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from figures import Row, peak_rss_mb  # noqa: E402
from harness import service_env, subscribe_everything  # noqa: E402

from councilwatch.processes import Services  # noqa: E402
from councilwatch.receiver import Receiver  # noqa: E402
from councilwatch.samples import ilacs_report  # noqa: E402
from shared.councils import default_register  # noqa: E402
from shared.events import DOCUMENTS_EXTRACTED, DOCUMENTS_FETCHED  # noqa: E402


def documents(count: int, run: str) -> list[bytes]:
    councils = sorted(r.name for r in default_register().records if r.ofsted_urn and r.current)
    return [ilacs_report(council=councils[i % len(councils)], marker=f"growth {run} {i}", body_pages=1)
            for i in range(count)]


def memory_by_kind(client: redis.Redis) -> dict[str, int]:
    """Bytes Redis holds per key type (MEMORY USAGE): streams, which trimming keeps to the
    backlog, and strings, ingest's content claims (each expires after INGEST_CLAIM_TTL_S)."""
    held: dict[str, int] = {"stream": 0, "string": 0}
    keys = list(client.scan_iter(count=1000))
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.type(key)
        pipe.memory_usage(key, samples=0)
    answers = pipe.execute()
    for kind, size in zip(answers[::2], answers[1::2], strict=True):
        kind = kind.decode()
        held[kind] = held.get(kind, 0) + (size or 0)
    return held


def run_size(pdfs: list[bytes], redis_url: str, trim_s: float, window: int) -> dict:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    base_memory = client.info("memory")["used_memory"]
    receiver = Receiver(out=lambda _line: None).start()
    received = receiver.received
    with tempfile.TemporaryDirectory() as tmp:
        env = service_env(redis_url, tmp, INGEST_SOURCES="", STREAM_TRIM_S=str(trim_s), DISPATCH_INTERVAL_S="0.2")
        services = Services.on_free_ports(env, log_dir=Path(tmp))
        redis_peak = stream_peak = 0

        def sample() -> None:
            nonlocal redis_peak, stream_peak
            redis_peak = max(redis_peak, client.info("memory")["used_memory"])
            stream_peak = max(stream_peak, client.xlen(DOCUMENTS_FETCHED))
        try:
            services.start_all()
            subscribe_everything(services.url("store"), receiver)
            ingest = services.url("ingest")
            uploaded = 0
            room = threading.Condition()

            def upload(pdf: bytes, http: httpx.Client) -> None:
                nonlocal uploaded
                with room:
                    room.wait_for(lambda: uploaded - len(received) < window)
                    uploaded += 1
                http.post(f"{ingest}/documents", files={"file": ("r.pdf", pdf, "application/pdf")}
                          ).raise_for_status()

            def wake() -> None:  # webhooks free room in the window
                while len(received) < len(pdfs):
                    with room:
                        room.notify_all()
                    time.sleep(0.01)

            started = time.perf_counter()
            threading.Thread(target=wake, daemon=True).start()
            with httpx.Client(timeout=60) as http, ThreadPoolExecutor(4) as pool:
                futures = [pool.submit(upload, pdf, http) for pdf in pdfs]
                while not all(f.done() for f in futures):
                    sample()
                    time.sleep(0.2)
                for f in futures:
                    f.result()
            deadline = time.monotonic() + 120
            while len(received) < len(pdfs) and time.monotonic() < deadline:
                sample()
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            time.sleep(2 * trim_s + 0.5)  # the last acks, then a trim pass
            memory = {name: peak_rss_mb(proc.pid) for name, proc in services.procs.items()}
            streams = {s: client.xlen(s) for s in (DOCUMENTS_FETCHED, DOCUMENTS_EXTRACTED)}
            held = memory_by_kind(client)
            database_bytes = os.path.getsize(f"{tmp}/store.db")
        finally:
            services.stop_all()
            receiver.stop()
    ids = [r["data"]["document_id"] for r in received]
    if len(ids) != len(pdfs) or len(set(ids)) != len(pdfs) or not all(r["verified"] for r in received):
        raise RuntimeError(f"{len(set(ids))} distinct verified webhooks of {len(ids)} for {len(pdfs)} documents")
    arrivals = sorted(r["received_at"] for r in received)
    tenth = max(1, len(arrivals) // 10)
    client.flushdb()
    return {
        "ms_per_doc": elapsed * 1000 / len(pdfs),
        # The span of a tenth of the arrivals, per document: the rate at the start and end.
        "first_tenth_ms": (arrivals[tenth - 1] - arrivals[0]) * 1000 / max(1, tenth - 1),
        "last_tenth_ms": (arrivals[-1] - arrivals[-tenth]) * 1000 / max(1, tenth - 1),
        "memory": memory,
        "redis_mb": (redis_peak - base_memory) / 2**20,
        "streams_kb": held["stream"] / 1024,
        "claims_kb": held["string"] / 1024,
        "streams": streams,
        "stream_peak": stream_peak,
        "database_kb_per_doc": database_bytes / 1024 / len(pdfs),
    }


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--trim-s", type=float, default=1.0)
    parser.add_argument("--window", type=int, default=200)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for size in sizes:
        pdfs = documents(size, f"{size} {time.time()}")
        results[size] = run_size(pdfs, args.redis_url, args.trim_s, args.window)

    names = list(results[sizes[0]]["memory"])
    print(f"cost growth: small generated ILACS reports (3 pages), trimmed to the unacked every {args.trim_s:g} s, "
          f"at most {args.window} in flight; every webhook received once")
    print(f"{'documents':>10}{'ms/doc':>8}{'first 10%':>10}{'last 10%':>9}"
          + "".join(f"{n + ' MB':>12}" for n in names)
          + f"{'redis MB':>10}{'streams KB':>11}{'claims KB':>10}{'most held':>10}{'fetched':>9}{'extracted':>10}"
          + f"{'db KB/doc':>10}")
    for size, r in results.items():
        print(f"{size:>10}{r['ms_per_doc']:>8.1f}{r['first_tenth_ms']:>10.1f}{r['last_tenth_ms']:>9.1f}"
              + "".join(f"{r['memory'][n]:>12.0f}" for n in names)
              + f"{r['redis_mb']:>10.1f}{r['streams_kb']:>11.0f}{r['claims_kb']:>10.0f}{r['stream_peak']:>10}"
              f"{r['streams'][DOCUMENTS_FETCHED]:>9}{r['streams'][DOCUMENTS_EXTRACTED]:>10}"
              f"{r['database_kb_per_doc']:>10.1f}")

    small, large = results[sizes[0]], results[sizes[-1]]
    label = f"{sizes[0]:,} → {sizes[-1]:,} docs"
    rows = [
        Row("cost growth", f"time per document, {label}",
            f"{small['ms_per_doc']:.1f} → {large['ms_per_doc']:.1f} ms", f"{sizes[0]:,} docs",
            large["ms_per_doc"] / small["ms_per_doc"]),
        Row("cost growth", f"time per document, first → last tenth of {sizes[-1]:,}",
            f"{large['first_tenth_ms']:.1f} → {large['last_tenth_ms']:.1f} ms", "first tenth",
            large["last_tenth_ms"] / large["first_tenth_ms"]),
    ]
    rows += [Row("memory", name, f"{r['memory'][name]:.0f} MB") for r in results.values() for name in names]
    for name in names:
        rows.append(Row("cost growth", f"{name} peak RSS, {label}",
                        f"{small['memory'][name]:.0f} → {large['memory'][name]:.0f} MB", f"{sizes[0]:,} docs",
                        large["memory"][name] / small["memory"][name]))
    rows.append(Row("cost growth", f"Redis memory held, {label} (streams trimmed to the unacked)",
                    " → ".join(f"{results[s]['redis_mb']:.1f}" for s in sizes) + " MB"))
    rows.append(Row("cost growth", f"documents.fetched entries held, most during the run / at the end, {label}",
                    " → ".join(f"{results[s]['stream_peak']} / {results[s]['streams'][DOCUMENTS_FETCHED]}"
                               for s in sizes)))
    rows.append(Row("cost growth", f"ingest's content claims held in Redis at the end (60 s TTL), {label}",
                    " → ".join(f"{results[s]['claims_kb']:.0f}" for s in sizes) + " KB"))
    rows.append(Row("cost growth", f"database size per document, {label}",
                    f"{small['database_kb_per_doc']:.1f} → {large['database_kb_per_doc']:.1f} KB"))
    return rows


if __name__ == "__main__":
    from figures import print_table

    print_table(main())

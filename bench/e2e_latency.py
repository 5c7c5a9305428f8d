"""Upload → verified webhook latency through the real pipeline (Redis, SQLite, loopback HTTP).

    .venv/bin/python bench/e2e_latency.py [--documents 50] [--redis-url redis://127.0.0.1:6379/14]

Starts the three services as `make run` does, uploads generated ILACS reports one at a
time and prints p50/p99 of the time from the upload's answer to the webhook's arrival,
next to the extraction time alone (the same documents parsed in this process) as the
reference measured in the same run.
"""

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from councilwatch.processes import Services  # noqa: E402
from councilwatch.receiver import Receiver  # noqa: E402
from councilwatch.samples import ilacs_report  # noqa: E402
from extract.findings import extract_findings  # noqa: E402
from figures import children, peak_rss_mb, percentile  # noqa: E402

ADMIN_KEY = "bench-admin-key-0123456789"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()

    client = redis.Redis.from_url(args.redis_url)
    client.flushdb()
    docs = [ilacs_report(council="Darlington", marker=f"bench {i} {time.time()}") for i in range(args.documents)]

    parse_s = []
    for pdf in docs[:20]:
        started = time.perf_counter()
        extract_findings(pdf)
        parse_s.append(time.perf_counter() - started)

    arrivals: dict[str, float] = {}
    arrived = threading.Condition()

    def on_hook(_line: str) -> None:
        with arrived:
            arrived.notify_all()

    receiver = Receiver(out=on_hook).start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COUNCILWATCH_", "WEBHOOK_"))}
        env |= {
            "COUNCILWATCH_ENV": "development", "WEBHOOK_ALLOW_PRIVATE": "true", "REDIS_URL": args.redis_url,
            "DATABASE_URL": f"sqlite:///{tmp}/store.db", "VAR_DIR": f"{tmp}/var", "LOG_LEVEL": "WARNING",
            "COUNCILWATCH_ADMIN_KEY": ADMIN_KEY, "DISPATCH_INTERVAL_S": "1.0",
        }
        services = Services.on_free_ports(env, log_dir=Path(tmp))
        try:
            services.start_all()
            sub = httpx.post(f"{services.url('store')}/subscriptions", json={"url": receiver.url, "councils": []},
                             headers={"authorization": f"Bearer {ADMIN_KEY}"}).json()
            receiver.secret = sub["secret"]
            latencies = []
            for pdf in docs:
                before = len(receiver.received)
                answer = httpx.post(f"{services.url('ingest')}/documents",
                                    files={"file": ("r.pdf", pdf, "application/pdf")}, timeout=30)
                sent = time.perf_counter()
                with arrived:
                    arrived.wait_for(lambda b=before: len(receiver.received) > b, timeout=30)
                latencies.append(time.perf_counter() - sent)
                arrivals[answer.json()["document_id"]] = latencies[-1]
            assert all(r["verified"] for r in receiver.received), "a webhook failed verification"
            memory = {name: peak_rss_mb(proc.pid) for name, proc in services.procs.items()}
            sandboxes = children(services.procs["extract"].pid)
            memory["extract sandbox child"] = max((peak_rss_mb(p) for p in sandboxes), default=0.0)
        finally:
            services.stop_all()
            receiver.stop()
            client.flushdb()

    ms = [x * 1000 for x in latencies]
    parse_ms = [x * 1000 for x in parse_s]
    print(f"documents: {len(ms)} (generated ILACS reports, 4 pages), webhooks verified: {len(arrivals)}")
    print(f"{'measure':<40}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    print(f"{'upload answered -> webhook received':<40}{percentile(ms, 50):>10.1f}{percentile(ms, 99):>10.1f}"
          f"{statistics.mean(ms):>10.1f}")
    print(f"{'reference: parse alone, in process':<40}{percentile(parse_ms, 50):>10.1f}"
          f"{percentile(parse_ms, 99):>10.1f}{statistics.mean(parse_ms):>10.1f}")
    print(f"pipeline overhead over parsing (p50): {percentile(ms, 50) / percentile(parse_ms, 50):.1f}x")
    print("peak RSS: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.items()))


if __name__ == "__main__":
    main()

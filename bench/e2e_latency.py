"""Latency to a verified webhook through the real pipeline (Redis, SQLite, loopback HTTP),
from an upload and from a publisher's new publication.

    .venv/bin/python bench/e2e_latency.py [--documents 40] [--publications 20] [--poll-s 1]

Upload: the three services run as `make run` runs them; generated ILACS reports are
uploaded one at a time, and the time from the upload's answer to the webhook's arrival is
measured, next to the extraction alone (the same documents parsed in this process) as the
reference measured in the same run.

Publication: the replay publisher (SOURCES.md shapes) gets a new Ofsted report on a
council's provider page, one at a time, while ingest polls it every `--poll-s` seconds
(an hour in production). The time from the publication appearing to its webhook is the
poll wait plus the pipeline; the second figure starts at the moment ingest fetched the PDF
from the replay, so it is the pipeline's share alone.
"""

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from figures import Row, children, peak_rss_mb, percentile  # noqa: E402
from harness import service_env, subscribe_everything  # noqa: E402

from councilwatch.processes import Services  # noqa: E402
from councilwatch.receiver import Receiver  # noqa: E402
from councilwatch.replay import ReplayPublisher  # noqa: E402
from councilwatch.samples import ilacs_report  # noqa: E402
from extract.findings import extract_findings  # noqa: E402

# Councils whose provider pages the replay's catalogue already lists: ingest finds other
# councils' pages only when it next refreshes the search (INGEST_RECHECK_S, a day).
COUNCILS = ["Darlington", "Tameside", "North Northamptonshire"]


class Arrivals:
    """Wraps the receiver so a caller can wait for the next webhook."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.receiver = Receiver(out=self._arrived).start()

    def _arrived(self, _line: str) -> None:
        with self.changed:
            self.changed.notify_all()

    def wait_for(self, predicate, timeout_s: float = 30) -> bool:  # noqa: ANN001
        with self.changed:
            return self.changed.wait_for(predicate, timeout=timeout_s)


def from_upload(documents: int, redis_url: str) -> tuple[list[float], dict[str, float]]:
    """Seconds from each upload's answer to its webhook; peak RSS per process."""
    docs = [ilacs_report(council="Darlington", marker=f"bench {i} {time.time()}") for i in range(documents)]
    arrivals = Arrivals()
    received = arrivals.receiver.received
    with tempfile.TemporaryDirectory() as tmp:
        env = service_env(redis_url, tmp, INGEST_SOURCES="", DISPATCH_INTERVAL_S="1.0")
        services = Services.on_free_ports(env, log_dir=Path(tmp))
        try:
            services.start_all()
            subscribe_everything(services.url("store"), arrivals.receiver)
            latencies = []
            for pdf in docs:
                before = len(received)
                httpx.post(f"{services.url('ingest')}/documents", files={"file": ("r.pdf", pdf, "application/pdf")},
                           timeout=30).raise_for_status()
                sent = time.perf_counter()
                if not arrivals.wait_for(lambda b=before: len(received) > b):
                    raise RuntimeError("a webhook did not arrive within 30 s")
                latencies.append(time.perf_counter() - sent)
            assert all(r["verified"] for r in received), "a webhook failed verification"
            memory = {name: peak_rss_mb(proc.pid) for name, proc in services.procs.items()}
            sandboxes = children(services.procs["extract"].pid)
            memory["extract sandbox child"] = max((peak_rss_mb(p) for p in sandboxes), default=0.0)
        finally:
            services.stop_all()
            arrivals.receiver.stop()
    return latencies, memory


def from_publication(publications: int, poll_s: float, redis_url: str) -> tuple[list[float], list[float]]:
    """Seconds from a publication appearing to its webhook, and from ingest's fetch of it."""
    replay = ReplayPublisher().with_catalogue().start()
    arrivals = Arrivals()
    received = arrivals.receiver.received
    interval = str(poll_s)
    with tempfile.TemporaryDirectory() as tmp:
        env = service_env(redis_url, tmp, **replay.settings(), DISPATCH_INTERVAL_S="1.0", INGEST_SOURCES="ofsted",
                          OFSTED_INTERVAL_S=interval, INGEST_RATE_PER_HOST="1000", INGEST_JITTER="0")
        services = Services.on_free_ports(env, log_dir=Path(tmp))
        try:
            services.start_all()
            subscribe_everything(services.url("store"), arrivals.receiver)
            deadline = time.monotonic() + 60
            while not all(s["initialized"] for s in httpx.get(f"{services.url('ingest')}/sources").json()):
                if time.monotonic() > deadline:
                    raise RuntimeError("ingest did not finish its first (seeding) poll within 60 s")
                time.sleep(0.1)
            whole, pipeline = [], []
            rng = random.Random(7)
            for i in range(publications):
                # A webhook arrives just after the poll that found the last publication, so
                # without this wait every publication would appear at the same point of the
                # poll cycle; publishers publish at any point of it.
                time.sleep(rng.uniform(0, poll_s))
                appeared = time.monotonic()  # the replay stamps requests on this clock
                url = replay.add_ofsted(COUNCILS[i % len(COUNCILS)], marker=f"bench publication {i} {appeared}")
                if not arrivals.wait_for(lambda u=url: any(r["data"].get("source_url") == u for r in received),
                                         timeout_s=poll_s * 3 + 30):
                    raise RuntimeError(f"no webhook for {url}")
                hook = next(r for r in received if r["data"].get("source_url") == url)
                path = url.split(replay.base, 1)[1]
                fetched = min(r.at for r in replay.requested(path) if r.path == path)
                arrived = hook["received_at"] - (time.time() - time.monotonic())
                whole.append(arrived - appeared)
                pipeline.append(arrived - fetched)
            assert all(r["verified"] for r in received), "a webhook failed verification"
            assert len(received) == publications, f"{len(received)} webhooks for {publications} publications"
        finally:
            services.stop_all()
            arrivals.receiver.stop()
            replay.stop()
    return whole, pipeline


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--publications", type=int, default=20)
    parser.add_argument("--poll-s", type=float, default=1.0, help="ingest's Ofsted poll interval for the run")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args(argv)
    client = redis.Redis.from_url(args.redis_url)

    parse_ms = []
    for i in range(20):
        pdf = ilacs_report(council="Darlington", marker=f"parse {i}")
        started = time.perf_counter()
        extract_findings(pdf)
        parse_ms.append((time.perf_counter() - started) * 1000)

    client.flushdb()
    upload_s, memory = from_upload(args.documents, args.redis_url)
    client.flushdb()
    whole_s, pipeline_s = from_publication(args.publications, args.poll_s, args.redis_url)
    client.flushdb()

    ms = [x * 1000 for x in upload_s]
    whole_ms, pipeline_ms = [x * 1000 for x in whole_s], [x * 1000 for x in pipeline_s]
    print(f"upload: {len(ms)} generated ILACS reports (4 pages), one at a time; "
          f"publication: {len(whole_ms)} new Ofsted reports on the replay, polled every {args.poll_s:g} s")
    print(f"{'measure':<48}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    for name, values in (("upload answered -> webhook received", ms),
                         ("publication appears -> webhook received", whole_ms),
                         ("publication fetched by ingest -> webhook", pipeline_ms),
                         ("reference: parse alone, in process", parse_ms)):
        p50, p99 = percentile(values, 50), percentile(values, 99)
        print(f"{name:<48}{p50:>10.1f}{p99:>10.1f}{statistics.mean(values):>10.1f}")
    print("peak RSS: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.items()))

    parse_p50 = percentile(parse_ms, 50)
    reference = f"parse alone p50 {parse_p50:.1f} ms"

    def p50_p99(values: list[float]) -> str:
        return f"{percentile(values, 50):.0f} / {percentile(values, 99):.0f} ms"

    return [
        Row("latency", "upload answered → webhook, p50 / p99", p50_p99(ms), reference,
            percentile(ms, 50) / parse_p50),
        Row("latency", f"new publication → webhook (poll every {args.poll_s:g} s), p50 / p99", p50_p99(whole_ms)),
        Row("latency", "publication fetched by ingest → webhook, p50 / p99", p50_p99(pipeline_ms), reference,
            percentile(pipeline_ms, 50) / parse_p50),
        *(Row("memory", name, f"{mb:.0f} MB") for name, mb in memory.items()),
    ]


if __name__ == "__main__":
    main()

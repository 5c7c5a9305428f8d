"""One change to 1,000 subscriptions: deliveries per second and latency through the real
store process (outbox rows in the database → dispatcher → signed POSTs to loopback).

    .venv/bin/python bench/webhook_fanout.py [--subscriptions 1000] [--database-url URL]

The receivers run in a separate process (an asyncio HTTP server, keep-alive), so they do
not share a CPU budget with the dispatcher more than the machine forces. The reference,
measured in the same run against the same receivers: plain aiohttp POSTs with the same
concurrency and no database, signing or bookkeeping. Every delivery is verified with the
`standardwebhooks` library afterwards.
"""

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx
from standardwebhooks import Webhook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from figures import Row, peak_rss_mb, percentile  # noqa: E402
from harness import service_env  # noqa: E402

from councilwatch.processes import Services, free_port  # noqa: E402


def receiver_process(port: int, ready) -> None:  # noqa: ANN001
    """A minimal HTTP/1.1 server: answers 204 to POSTs and keeps what came, with the time."""
    got: list[dict] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path = lines[0].split(" ")[:2]
                headers = {k.lower(): v.strip() for k, v in (x.split(":", 1) for x in lines[1:] if ":" in x)}
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                if method == "GET" and path == "/results":
                    out = json.dumps(got).encode()
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(out) + out)
                elif method == "DELETE":
                    got.clear()
                    writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                else:
                    got.append({"at": time.time(), "path": path, "headers": headers, "body": body.decode()})
                    writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


@contextlib.contextmanager
def scratch_database(admin_url: str | None):  # noqa: ANN201
    """A fresh PostgreSQL database for the run, dropped after; None for SQLite."""
    if not admin_url:
        yield None
        return
    import psycopg

    name = f"cw_bench_{os.getpid()}"
    plain = admin_url.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def reference(base: str, count: int, concurrency: int) -> float:
    """Plain POSTs with the dispatcher's HTTP client (aiohttp), same receivers, same
    concurrency, no database or signing: deliveries per second."""
    import aiohttp

    limit = asyncio.Semaphore(concurrency)
    body = json.dumps({"type": "publication.published", "data": {"document_id": "doc_x"}}).encode()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as client:
        async def one(i: int) -> None:
            async with limit, client.post(f"{base}/ref/{i}", data=body, allow_redirects=False) as r:
                await r.read()

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        return count / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--postgres", default=None, metavar="ADMIN_URL",
                        help="run on a new PostgreSQL database made (and dropped) through this server, "
                             "e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args(argv)

    port = free_port()
    ready = multiprocessing.Event()
    proc = multiprocessing.Process(target=receiver_process, args=(port, ready), daemon=True)
    proc.start()
    ready.wait(10)
    base = f"http://127.0.0.1:{port}"

    with tempfile.TemporaryDirectory() as tmp, scratch_database(args.postgres) as database:
        database = database or f"sqlite:///{tmp}/store.db"
        env = service_env(args.redis_url, tmp, DATABASE_URL=database, DISPATCH_INTERVAL_S="0.05")
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        services = Services.on_free_ports(env, log_dir=Path(tmp))
        services.start("store")
        try:
            from sqlmodel import Session

            from shared.events import Council, DocumentExtracted, Findings
            from store import crud
            from store.db import make_engine
            from store.models import Subscription
            from store.signing import new_secret

            engine = make_engine(database)
            secrets: dict[str, str] = {}
            with Session(engine) as session:
                for i in range(args.subscriptions):
                    secret = new_secret()
                    sub = Subscription(id=f"sub_bench_{i:05d}", url=f"{base}/hook/{i}", secret=secret, owner="admin",
                                       event_types=["publication.published"])
                    secrets[sub.id] = secret
                    session.add(sub)
                session.commit()

            ref_rate = asyncio.run(reference(base, args.subscriptions, 64))
            httpx.delete(f"{base}/results")

            findings = Findings(sha256="f" * 64, source="ofsted", document_type="ilacs_inspection",
                                council=Council(name="Darlington", gss_code="E06000005"),
                                judgements={"overall_effectiveness": "good"})
            with Session(engine) as session:
                crud.record_extraction(session, DocumentExtracted(document_id="doc_bench", sha256="f" * 64,
                                                                  findings=findings), public_base_url=base)
                committed = time.time()
                session.commit()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                got = httpx.get(f"{base}/results", timeout=30).json()
                if len(got) >= args.subscriptions:
                    break
                time.sleep(0.2)
            rss = peak_rss_mb(services.procs["store"].pid)
        finally:
            services.stop_all()
            proc.kill()

    ids = {g["headers"]["webhook-id"] for g in got}
    for g in got:
        sub_id = f"sub_bench_{int(g['path'].rsplit('/', 1)[1]):05d}"
        Webhook(secrets[sub_id]).verify(g["body"].encode(), g["headers"])
    latencies = [(g["at"] - committed) * 1000 for g in got]
    span = max(g["at"] for g in got) - committed
    rate = len(got) / span
    print(f"webhook fan-out: 1 event → {args.subscriptions} subscriptions on loopback "
          f"({'PostgreSQL' if 'postgresql' in database else 'SQLite'})")
    print(f"{'path':<44}{'deliveries/s':>14}{'ratio':>8}")
    print(f"{'plain aiohttp POSTs (reference, same run)':<44}{ref_rate:>14.0f}{1:>8.2f}")
    print(f"{'store: outbox → dispatcher → signed POST':<44}{rate:>14.0f}{rate / ref_rate:>8.2f}")
    print(f"delivered {len(got)}/{args.subscriptions}, all verified, {len(ids)} webhook-id; "
          f"latency from commit p50 {percentile(latencies, 50):.0f} ms, p99 {percentile(latencies, 99):.0f} ms; "
          f"store peak RSS {rss:.0f} MB")
    db = "PostgreSQL" if "postgresql" in database else "SQLite"
    return [
        Row("webhook fan-out", f"1 change → {args.subscriptions} subscriptions, {db}", f"{rate:.0f} deliveries/s",
            f"plain aiohttp POSTs {ref_rate:.0f}/s", rate / ref_rate),
        Row("webhook fan-out", f"commit → delivered, {db}, p50 / p99",
            f"{percentile(latencies, 50):.0f} / {percentile(latencies, 99):.0f} ms"),
        Row("memory", "store", f"{rss:.0f} MB"),
    ]


if __name__ == "__main__":
    main()

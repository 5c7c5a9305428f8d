"""What every failure drill ends with: documents in = documents stored = webhooks sent once,
no dead letters and nothing left pending."""

import time
from collections import Counter

import httpx
import redis
from sqlalchemy import create_engine, text

from councilwatch.receiver import Receiver
from shared.events import DOCUMENTS_EXTRACTED, DOCUMENTS_FETCHED, EXTRACT_GROUP, STORE_GROUP, dead_letter_stream
from tests.conftest import wait_for
from tests.e2e.test_pipeline import subscribe

GROUPS = [(DOCUMENTS_FETCHED, EXTRACT_GROUP), (DOCUMENTS_FETCHED, STORE_GROUP), (DOCUMENTS_EXTRACTED, STORE_GROUP)]


class Tally:
    """Uploads documents and, at the end, counts what became of each one."""

    def __init__(self, svc, receiver: Receiver, database_url: str, redis_client: redis.Redis) -> None:  # noqa: ANN001
        self.svc = svc
        self.receiver = receiver
        self.database_url = database_url
        self.redis = redis_client
        self.document_ids: list[str] = []

    def subscribe(self) -> dict:
        return subscribe(self.svc, self.receiver, event_types=["publication.published"])

    def upload(self, pdf: bytes, name: str = "report.pdf", retry_for_s: float = 60) -> str:
        """Upload until ingest accepts it: during a drill ingest may answer 5xx or nothing,
        as it would to a real publisher poll, and the caller tries again."""
        deadline = time.monotonic() + retry_for_s
        while True:
            try:
                r = httpx.post(f"{self.svc.url('ingest')}/documents", timeout=30,
                               files={"file": (name, pdf, "application/pdf")})
                if r.status_code == 202:
                    self.document_ids.append(r.json()["document_id"])
                    return r.json()["document_id"]
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"ingest did not accept {name} within {retry_for_s} s")
            time.sleep(0.2)

    def delivered(self) -> Counter:
        return Counter(h["data"]["document_id"] for h in list(self.receiver.received)
                       if h["type"] == "publication.published")

    def wait_all_delivered(self, timeout_s: float = 60) -> None:
        wait_for(lambda: set(self.document_ids) <= set(self.delivered()), timeout_s=timeout_s, interval_s=0.25)

    def stored(self) -> dict[str, int]:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                statuses = Counter(row[0] for row in conn.execute(text("SELECT status FROM document")))
                events = conn.execute(text("SELECT count(*) FROM event WHERE type = 'publication.published'")).scalar()
                unsent = conn.execute(text(
                    "SELECT count(*) FROM delivery d JOIN event e ON e.id = d.event_id "
                    "WHERE e.type = 'publication.published' AND d.status != 'succeeded'")).scalar()
        finally:
            engine.dispose()
        return {"extracted": statuses["extracted"], "other": sum(statuses.values()) - statuses["extracted"],
                "events": events, "unsent": unsent}

    def unfinished(self) -> dict[str, int]:
        """Entries each group has not yet read or not yet acknowledged."""
        left = {}
        for stream, group in GROUPS:
            info = next(g for g in self.redis.xinfo_groups(stream) if g["name"].decode() == group)
            # lag is None when Redis cannot tell (after deletions); then compare ids.
            unread = info["lag"] if info["lag"] is not None else int(
                info["last-delivered-id"] != self.redis.xinfo_stream(stream)["last-generated-id"])
            left[f"{stream}/{group}"] = unread + info["pending"]
        return left

    def wait_quiet(self, timeout_s: float = 30) -> None:
        """A webhook can be out before every hop has acked: the publication event goes out
        while findings are still on their way, and a message whose ack a crash swallowed is
        reclaimed (and absorbed as a duplicate) only after the claim idle time."""
        wait_for(lambda: not any(self.unfinished().values()), timeout_s=timeout_s, interval_s=0.25)

    def assert_each_once(self, settle_s: float = 1.5) -> dict[str, int]:
        """Every document in is stored once and was sent once; nothing dead or pending."""
        self.wait_all_delivered()
        self.wait_quiet()
        time.sleep(settle_s)  # room for a wrong second delivery to show itself
        n = len(set(self.document_ids))
        assert n == len(self.document_ids), "a drill upload was counted twice"
        delivered = self.delivered()
        assert set(delivered) == set(self.document_ids)
        assert [d for d, count in delivered.items() if count != 1] == [], "a document was sent twice"
        ids = [h["id"] for h in self.receiver.received]
        assert len(ids) == len(set(ids)) and all(h["verified"] for h in self.receiver.received)
        stored = self.stored()
        assert stored == {"extracted": n, "other": 0, "events": n, "unsent": 0}, stored
        for stream in {stream for stream, _group in GROUPS}:
            assert self.redis.xlen(dead_letter_stream(stream)) == 0, f"dead letters on {stream}"
        assert not any(self.unfinished().values()), self.unfinished()
        return {"documents": n, "webhooks": sum(delivered.values())}


def readiness(svc, name: str) -> tuple[int, dict]:  # noqa: ANN001
    try:
        r = httpx.get(f"{svc.url(name)}/readyz", timeout=5)
        return r.status_code, r.json()
    except httpx.HTTPError as exc:
        return 0, {"error": str(exc)}

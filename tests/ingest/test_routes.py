import json

import pytest
from fastapi.testclient import TestClient

from ingest.main import create_app
from ingest.settings import IngestSettings
from shared.canary import CANARY_PDF
from shared.events import DOCUMENTS_FETCHED


@pytest.fixture
def client(tmp_path, redis_url):
    settings = IngestSettings(REDIS_URL=redis_url, VAR_DIR=tmp_path, INGEST_MAX_UPLOAD_BYTES=1000, LOG_JSON=False)
    with TestClient(create_app(settings)) as c:
        yield c


def test_rejects_empty_oversized_and_bad_source_url(client, redis_client):
    assert client.post("/documents", files={"file": ("a.pdf", b"")}).status_code == 422
    assert client.post("/documents", files={"file": ("a.pdf", b"x" * 1001)}).status_code == 413
    r = client.post("/documents", files={"file": ("a.pdf", b"%PDF-1.7")}, data={"source_url": "file:///etc/passwd"})
    assert r.status_code == 422
    assert redis_client.exists(DOCUMENTS_FETCHED) == 0


def test_event_carries_references_not_bytes(client, redis_client, tmp_path):
    r = client.post("/documents", files={"file": ("a.pdf", b"%PDF-1.7 tiny")},
                    data={"source_url": "https://files.ofsted.gov.uk/v1/file/50200877"})
    assert r.status_code == 202
    (entry_id, fields), = redis_client.xrange(DOCUMENTS_FETCHED)
    assert b"%PDF" not in b"".join(fields.values())
    assert list((tmp_path / "blobs").rglob(r.json()["sha256"]))
    assert client.get("/readyz").json()["checks"]["blobs:writable"][0]["status"] == "pass"


def test_same_bytes_are_a_duplicate_even_after_redis_forgets_and_redis_keeps_no_history(client, redis_client):
    first = client.post("/documents", files={"file": ("a.pdf", b"%PDF-1.7 once")}).json()
    assert first["status"] == "accepted"
    claim = f"ingest:documents:{first['sha256']}"
    assert 0 < redis_client.ttl(claim) <= 60  # only a short claim is held in Redis, never for good
    redis_client.delete(claim)  # as a flush, or the claim's expiry, would
    again = client.post("/documents", files={"file": ("b.pdf", b"%PDF-1.7 once")}).json()
    assert again["status"] == "duplicate" and again["document_id"] == first["document_id"]
    assert redis_client.xlen(DOCUMENTS_FETCHED) == 1


def test_same_bytes_uploaded_at_the_same_moment_publish_once(client, redis_client):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: client.post("/documents", files={"file": (f"{i}.pdf", b"%PDF-1.7 race")}),
                                range(16)))
    statuses = sorted(r.json()["status"] for r in answers)
    assert statuses == ["accepted"] + ["duplicate"] * 15
    assert redis_client.xlen(DOCUMENTS_FETCHED) == 1


def test_a_full_redis_refuses_with_503_and_nothing_is_half_published(tmp_path):
    """With no stream cap, a Redis at maxmemory (noeviction) is what bounds a runaway
    backlog: the upload is refused with 503 and Retry-After, and accepted once there is room."""
    import redis

    from tests.e2e.servers import PrivateRedis

    private = PrivateRedis(tmp_path / "redis").start()
    try:
        direct = redis.Redis.from_url(private.url)
        settings = IngestSettings(REDIS_URL=private.url, VAR_DIR=tmp_path, LOG_JSON=False)
        with TestClient(create_app(settings)) as c:
            direct.config_set("maxmemory", direct.info("memory")["used_memory"] - 1024)
            direct.config_set("maxmemory-policy", "noeviction")
            refused = c.post("/documents", files={"file": ("a.pdf", b"%PDF-1.7 full")})
            assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
            assert "maxmemory" in refused.json()["detail"]
            assert direct.exists(DOCUMENTS_FETCHED) == 0
            direct.config_set("maxmemory", 0)
            accepted = c.post("/documents", files={"file": ("a.pdf", b"%PDF-1.7 full")})
            assert accepted.status_code == 202 and accepted.json()["status"] == "accepted"
            assert direct.xlen(DOCUMENTS_FETCHED) == 1
        direct.close()
    finally:
        private.stop()


def test_each_canary_is_a_new_document_on_the_same_blob(client, redis_client, tmp_path):
    intake = client.app.state.intake
    ids = [client.portal.call(intake.publish_canary) for _ in range(2)]
    assert len(set(ids)) == 2 and all(i.startswith("canary_") for i in ids)
    events = [json.loads(raw[raw.index(b"{"):]) for _id, fields in redis_client.xrange(DOCUMENTS_FETCHED)
              for raw in [fields[b"__data__"]]]
    assert [e["document_id"] for e in events] == ids and all(e["canary"] for e in events)
    blobs = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert len(blobs) == 1 and blobs[0].read_bytes() == CANARY_PDF  # and no dedupe mark beside it
    # An upload is never taken for a canary.
    r = client.post("/documents", files={"file": ("a.pdf", b"%PDF-1.7 not a canary")})
    assert r.status_code == 202 and r.json()["status"] == "accepted"

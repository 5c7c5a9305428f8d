"""Store API rules, in process (the end-to-end tests cover real HTTP)."""

import pytest
from fastapi.testclient import TestClient

from store.main import create_app
from store.settings import StoreSettings

ADMIN = {"authorization": "Bearer test-admin-key-0123456789"}


@pytest.fixture
def client(tmp_path, redis_url):
    settings = StoreSettings(COUNCILWATCH_ENV="development", WEBHOOK_ALLOW_PRIVATE=True, REDIS_URL=redis_url,
                             DATABASE_URL=f"sqlite:///{tmp_path / 's.db'}", VAR_DIR=tmp_path,
                             COUNCILWATCH_ADMIN_KEY="test-admin-key-0123456789", LOG_JSON=False)
    with TestClient(create_app(settings)) as c:
        yield c


def test_subscriptions_need_the_api_key(client):
    body = {"url": "http://127.0.0.1:9/hook", "councils": []}
    assert client.post("/subscriptions", json=body).status_code == 401
    assert client.post("/subscriptions", json=body, headers={"authorization": "Bearer wrong"}).status_code == 401
    created = client.post("/subscriptions", json=body, headers=ADMIN)
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")


def test_unknown_council_and_document(client):
    r = client.post("/subscriptions", json={"url": "http://127.0.0.1:9/", "councils": ["E99999999"]}, headers=ADMIN)
    assert r.status_code == 422
    assert client.get("/documents/doc_missing").status_code == 404
    assert client.get("/councils/E99999999/timeline").status_code == 404
    assert client.get("/councils/E06000005/timeline").json()["documents"] == []


def test_health_and_metrics(client, redis_client):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.headers["content-type"] == "application/health+json"
    checks = ready.json()["checks"]
    assert checks["database:responseTime"][0]["status"] == "pass"
    assert checks["documents.extracted/store:lag"][0]["status"] == "pass"
    assert client.get("/livez").json()["status"] == "pass"
    assert "webhook_attempts_total" in client.get("/metrics").text
    redis_client.xgroup_destroy("documents.extracted", "store")  # the group is gone
    failed = client.get("/readyz")
    assert failed.status_code == 503 and failed.json()["status"] == "fail"

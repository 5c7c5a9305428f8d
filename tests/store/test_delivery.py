"""Webhook delivery to the Standard Webhooks bar, against loopback receivers and a real
database; time is compressed by WEBHOOK_TIME_SCALE, never slept through."""

import json
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlmodel import Session
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from shared.events import Council, DocumentExtracted, Findings
from store import crud
from store.main import create_app
from store.models import Subscriber, Subscription
from store.settings import StoreSettings
from tests.conftest import wait_for
from tests.store.webhook_receiver import ScriptedReceiver

ADMIN = {"authorization": "Bearer test-admin-key-0123456789"}


@pytest.fixture
def store_app(tmp_path, redis_url, database_url):
    """`store_app(**settings)` → a TestClient of the store, dispatcher running."""
    clients = []

    def make(**overrides):  # noqa: ANN003, ANN202
        options = dict(COUNCILWATCH_ENV="development", WEBHOOK_ALLOW_PRIVATE=True, REDIS_URL=redis_url,
                       DATABASE_URL=database_url, VAR_DIR=tmp_path, COUNCILWATCH_ADMIN_KEY=ADMIN["authorization"][7:],
                       LOG_JSON=False, DISPATCH_INTERVAL_S=0.02, WEBHOOK_TIME_SCALE=0.1)
        options.update(overrides)
        client = TestClient(create_app(StoreSettings(**options)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def receivers():
    made = []

    def make(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        made.append(ScriptedReceiver(*args, **kw))
        return made[-1]

    yield make
    for r in made:
        r.stop()


def subscribe(client, url: str, headers=ADMIN, **body) -> dict:  # noqa: ANN001, ANN003
    r = client.post("/subscriptions", json={"url": url, **body}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def publish(client, doc_id: str, gss: str = "E06000005") -> None:  # noqa: ANN001
    findings = Findings(sha256=doc_id.ljust(64, "0"), source="ofsted", document_type="ilacs_inspection",
                        council=Council(name="Darlington", gss_code=gss), published=date(2026, 3, 24),
                        judgements={"overall_effectiveness": "good"})
    with Session(client.app.state.engine) as session:
        crud.record_extraction(session, DocumentExtracted(document_id=doc_id, sha256=findings.sha256,
                                                          findings=findings), public_base_url="http://cw.test")
        session.commit()


def deliveries(client, sub_id: str, headers=ADMIN) -> list[dict]:  # noqa: ANN001
    """The subscription's deliveries other than pings, newest first."""
    log = client.get(f"/subscriptions/{sub_id}/deliveries", headers=headers).json()
    return [d for d in log if d["event_type"] != "ping"]


def test_every_attempt_is_signed_and_keeps_its_webhook_id(store_app, receivers):
    client = store_app(WEBHOOK_RETRY_SCHEDULE_S=[1, 2])
    rec = receivers([500, 503, 200])
    sub = subscribe(client, rec.url)
    wait_for(lambda: rec.pings)
    assert Webhook(sub["secret"]).verify(rec.pings[0][1], rec.pings[0][0])["type"] == "ping"
    publish(client, "doc_1")
    wait_for(lambda: len(rec.hits) == 3)
    ids = {h["webhook-id"] for _t, h, _b in rec.hits}
    assert len(ids) == 1
    for _t, headers, body in rec.hits:
        assert Webhook(sub["secret"]).verify(body, headers)["data"]["document_id"] == "doc_1"
    # Attempts 2 and 3 came 1 s and 2 s (scaled by 0.1) after the one before, ±20 % jitter.
    first, second = rec.gaps()
    assert 0.08 <= first <= 0.12 + 0.06 and 0.16 <= second <= 0.24 + 0.06
    (log,) = wait_for(lambda: (d := deliveries(client, sub["id"])) and d[0]["status"] == "succeeded" and d)
    assert [a["status_code"] for a in log["log"]] == [500, 503, 200]
    assert log["log"][0]["next_attempt_at"] and log["log"][2]["next_attempt_at"] is None


def test_retry_after_is_honoured_within_bounds(store_app, receivers):
    client = store_app(WEBHOOK_RETRY_SCHEDULE_S=[5, 5], WEBHOOK_TIME_SCALE=0.1)
    slow = receivers([429, 200], headers={"Retry-After": "8"})
    greedy = receivers([429, 200], headers={"Retry-After": "3600"})
    subscribe(client, slow.url)
    subscribe(client, greedy.url)
    publish(client, "doc_1")
    wait_for(lambda: len(slow.hits) == 2 and len(greedy.hits) == 2)
    assert 0.75 <= slow.gaps()[0] <= 0.9  # 8 s asked, within [5 s, 10 s]: 8 s, scaled
    assert 0.95 <= greedy.gaps()[0] <= 1.1  # an hour asked: capped at twice the 5 s step


def test_only_network_errors_timeouts_429_and_5xx_are_retried(store_app, receivers):
    client = store_app(WEBHOOK_RETRY_SCHEDULE_S=[1, 1], WEBHOOK_TIMEOUT_S=0.3)
    bad_request = receivers([400])
    redirect = receivers([302])
    subs = [subscribe(client, r.url) for r in (bad_request, redirect)]
    dead = subscribe(client, "http://127.0.0.1:9/closed")  # connection refused: retried
    publish(client, "doc_1")
    for s in subs:
        (d,) = wait_for(lambda s=s: (d := deliveries(client, s["id"])) and d[0]["status"] == "failed" and d)
        assert d["attempts"] == 1
    assert not [h for h in redirect.hits if "/moved" in h[1].get("path", "")]  # never followed
    (d,) = wait_for(lambda: (d := deliveries(client, dead["id"])) and d[0]["status"] == "failed" and d, timeout_s=10)
    assert d["attempts"] == 3 and "Connect" in d["log"][0]["error"]


def test_410_disables_at_once_and_the_owner_hears_of_it(store_app, receivers):
    client = store_app()
    key = client.post("/subscribers", json={"name": "Darlington BI team"}, headers=ADMIN).json()["api_key"]
    mine = {"authorization": f"Bearer {key}"}
    gone, other = receivers([410]), receivers()
    sub_gone = subscribe(client, gone.url, headers=mine)
    subscribe(client, other.url, headers=mine)
    publish(client, "doc_1")
    wait_for(lambda: any(b"endpoint.disabled" in b for _t, _h, b in other.hits))
    view = client.get(f"/subscriptions/{sub_gone['id']}", headers=mine).json()
    assert not view["active"] and "410" in view["disabled_reason"]
    assert len(gone.hits) == 1

    publish(client, "doc_2")  # nothing more goes to a disabled endpoint
    wait_for(lambda: len([b for _t, _h, b in other.hits if b"publication.published" in b]) == 2)
    assert len(gone.hits) == 1
    # Re-enabled, it receives new events again.
    gone.default = 200
    assert client.patch(f"/subscriptions/{sub_gone['id']}", json={"active": True}, headers=mine).json()["active"]
    publish(client, "doc_3")
    wait_for(lambda: len(gone.hits) == 2)
    assert b"doc_3" in gone.hits[1][2]


def gauges(client) -> dict[str, float]:  # noqa: ANN001
    """`webhook_endpoints` by state, as this store's /metrics reports them now."""
    client.get("/metrics")  # a scrape refreshes them from the database
    return {state: REGISTRY.get_sample_value("webhook_endpoints", {"state": state})
            for state in ("active", "failing", "disabled")}


def test_backlog_gauges_show_deliveries_the_dispatcher_is_not_sending(store_app, receivers):
    client = store_app(WEBHOOK_DISPATCH_ENABLED=False)  # as if the dispatcher had stopped
    subscribe(client, receivers().url)
    publish(client, "doc_1")
    time.sleep(1.2)
    client.get("/metrics")
    assert REGISTRY.get_sample_value("webhook_deliveries_pending") == 2  # the creation ping and the publication
    assert REGISTRY.get_sample_value("webhook_deliveries_overdue_seconds") >= 1.2
    assert gauges(client) == {"active": 1, "failing": 0, "disabled": 0}


def notices(receiver: ScriptedReceiver, kind: str) -> list[dict]:
    return [json.loads(b)["data"] for _t, _h, b in receiver.hits if json.loads(b)["type"] == kind]


def test_a_failing_spell_is_told_once_and_its_recovery_after(store_app, receivers):
    """R7: retries fail, then succeed; the owner hears `endpoint.failing` once per spell (not
    once per webhook) and `endpoint.recovered` when it ends; a blip says nothing."""
    client = store_app(WEBHOOK_RETRY_SCHEDULE_S=[1, 1, 1, 1])  # five attempts, 0.1 s apart
    key = client.post("/subscribers", json={"name": "Darlington BI team"}, headers=ADMIN).json()["api_key"]
    mine = {"authorization": f"Bearer {key}"}
    down = [True]
    flaky = receivers(lambda n: 503 if down[0] else 200)
    blip = receivers([500])
    watcher = receivers()
    sub_flaky, sub_blip = subscribe(client, flaky.url, headers=mine), subscribe(client, blip.url, headers=mine)
    sub_watcher = subscribe(client, watcher.url, headers=mine)
    publish(client, "doc_1")
    publish(client, "doc_2")
    wait_for(lambda: [d["status"] for d in deliveries(client, sub_flaky["id"], mine)] == ["failed", "failed"])
    assert len(flaky.hits) == 10  # two webhooks, five attempts each

    (failing,) = notices(watcher, "endpoint.failing")  # one spell, two webhooks: one notice
    assert failing["subscription_id"] == sub_flaky["id"] and failing["attempts"] == 4
    assert failing["last_error"] == "HTTP 503" and failing["disabled_if_still_failing_at"]
    _t, headers, body = next(h for h in watcher.hits if b"endpoint.failing" in h[2])
    Webhook(sub_watcher["secret"]).verify(body, headers)
    assert not notices(flaky, "endpoint.failing")  # not sent to the endpoint that is failing
    assert client.get(f"/subscriptions/{sub_flaky['id']}", headers=mine).json()["failing_since"]
    assert gauges(client) == {"active": 2, "failing": 1, "disabled": 0}

    down[0] = False
    publish(client, "doc_3")
    wait_for(lambda: notices(watcher, "endpoint.recovered") and notices(flaky, "endpoint.recovered"))
    for receiver in (watcher, flaky):
        (recovered,) = notices(receiver, "endpoint.recovered")
        assert recovered["subscription_id"] == sub_flaky["id"] and recovered["failed_deliveries"] == 2
        assert recovered["failing_since"] == failing["failing_since"]
    assert client.get(f"/subscriptions/{sub_flaky['id']}", headers=mine).json()["failing_since"] is None
    assert gauges(client) == {"active": 3, "failing": 0, "disabled": 0}
    # The blip (one 500, then a success) was never a spell.
    assert [d["status"] for d in deliveries(client, sub_blip["id"], mine)][-2:] == ["succeeded", "succeeded"]
    assert {n["subscription_id"] for k in ("endpoint.failing", "endpoint.recovered")
            for n in notices(watcher, k)} == {sub_flaky["id"]}


def test_consistent_failure_disables_but_sporadic_failure_does_not(store_app, receivers):
    # A 100 s window (scaled to 1 s), retries every 5 s (scaled to 50 ms).
    client = store_app(WEBHOOK_TIME_SCALE=0.01, WEBHOOK_DISABLE_AFTER_S=100, WEBHOOK_RETRY_SCHEDULE_S=[5] * 60)
    failing = receivers(default=500)
    sporadic = receivers(lambda n: 500 if n % 2 else 200)
    sub_failing, sub_sporadic = subscribe(client, failing.url), subscribe(client, sporadic.url)
    import time

    started = time.monotonic()
    n = 0
    while time.monotonic() - started < 2.0:  # twice the window, an event every 50 ms
        publish(client, f"doc_{n}")
        n += 1
        time.sleep(0.05)
    view = client.get(f"/subscriptions/{sub_failing['id']}", headers=ADMIN).json()
    assert not view["active"] and "no successful delivery since" in view["disabled_reason"]
    assert len(sporadic.hits) > n  # failures all through the window, each followed by a success
    assert client.get(f"/subscriptions/{sub_sporadic['id']}", headers=ADMIN).json()["active"]


def test_replay_resends_failed_deliveries_with_the_same_webhook_id(store_app, receivers):
    client = store_app()
    rec = receivers(default=400)
    sub = subscribe(client, rec.url)
    publish(client, "doc_1")
    publish(client, "doc_2")
    wait_for(lambda: len(deliveries(client, sub["id"])) == 2 and
             all(d["status"] != "pending" for d in deliveries(client, sub["id"])))
    first_ids = [h["webhook-id"] for _t, h, _b in rec.hits]
    rec.default = 200
    too_old = (datetime.now(UTC) - timedelta(days=15)).isoformat()
    assert client.post(f"/subscriptions/{sub['id']}/replay", json={"since": too_old}, headers=ADMIN).status_code == 422
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    r = client.post(f"/subscriptions/{sub['id']}/replay", json={"since": since}, headers=ADMIN)
    assert r.status_code == 202 and r.json()["replayed"] == 2
    wait_for(lambda: len(rec.hits) == 4)
    assert sorted(h["webhook-id"] for _t, h, _b in rec.hits[2:]) == sorted(first_ids)
    one = next(d for d in deliveries(client, sub["id"]) if d["event_type"] == "publication.published")
    r = client.post(f"/subscriptions/{sub['id']}/replay", json={"delivery_id": one["id"]}, headers=ADMIN)
    assert r.json()["replayed"] == 1
    wait_for(lambda: len(rec.hits) == 5)
    assert rec.hits[4][1]["webhook-id"] == one["event_id"]


def test_rotation_signs_with_both_secrets_during_the_overlap(store_app, receivers):
    client = store_app(WEBHOOK_SECRET_OVERLAP_S=3)
    rec = receivers()
    sub = subscribe(client, rec.url)
    wait_for(lambda: rec.pings)  # the creation ping, signed before the rotation, is in
    rotated = client.post(f"/subscriptions/{sub['id']}/rotate-secret", headers=ADMIN).json()
    assert rotated["secret"] != sub["secret"] and rotated["previous_secret_expires_at"]
    publish(client, "doc_1")
    wait_for(lambda: rec.hits)
    _t, headers, body = rec.hits[0]
    assert len(headers["webhook-signature"].split()) == 2
    Webhook(sub["secret"]).verify(body, headers)
    Webhook(rotated["secret"]).verify(body, headers)
    rotated_at = len(rec.pings)  # later pings were all signed after the rotation
    wait_for(lambda: client.post(f"/subscriptions/{sub['id']}/ping", headers=ADMIN) and
             len(rec.pings) > rotated_at and len(rec.pings[-1][0]["webhook-signature"].split()) == 1,
             timeout_s=10)
    headers, body = rec.pings[-1]
    Webhook(rotated["secret"]).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(sub["secret"]).verify(body, headers)


def test_subscribers_see_and_manage_only_their_own(store_app, receivers):
    client = store_app()
    created = client.post("/subscribers", json={"name": "Kent"}, headers=ADMIN).json()
    key_a = created["api_key"]
    key_b = client.post("/subscribers", json={"name": "Analyst"}, headers=ADMIN).json()["api_key"]
    a, b = {"authorization": f"Bearer {key_a}"}, {"authorization": f"Bearer {key_b}"}
    with Session(client.app.state.engine) as session:
        stored = session.get(Subscriber, created["id"])
        assert key_a not in stored.key_hash and len(stored.key_hash) == 64
    rec = receivers()
    sub_a = subscribe(client, rec.url, headers=a, councils=["E10000016"], regions=["South East"],
                      sources=["cqc"], event_types=["assessment.started"])
    assert client.get(f"/subscriptions/{sub_a['id']}", headers=b).status_code == 404
    assert client.get(f"/subscriptions/{sub_a['id']}/deliveries", headers=b).status_code == 404
    assert client.post(f"/subscriptions/{sub_a['id']}/rotate-secret", headers=b).status_code == 404
    assert client.delete(f"/subscriptions/{sub_a['id']}", headers=b).status_code == 404
    assert client.get("/subscriptions", headers=b).json() == []
    assert [s["id"] for s in client.get("/subscriptions", headers=a).json()] == [sub_a["id"]]
    assert client.get("/subscribers", headers=a).status_code == 403
    assert client.get("/subscriptions", headers={"authorization": "Bearer cwk_wrong"}).status_code == 401
    assert len(client.get("/subscriptions", headers=ADMIN).json()) == 1
    bad = client.post("/subscriptions", json={"url": rec.url, "event_types": ["grade.moved"], "regions": ["Mars"]},
                      headers=a)
    assert bad.status_code == 422 and "grade.moved" in bad.text and "Mars" in bad.text
    assert client.delete(f"/subscriptions/{sub_a['id']}", headers=a).status_code == 204
    assert client.get("/subscriptions", headers=a).json() == []


def test_ssrf_guard_refuses_at_registration_and_again_at_send_time(store_app):
    client = store_app(COUNCILWATCH_ENV="production", WEBHOOK_ALLOW_PRIVATE=False)
    for url in ("http://example.org/hook", "https://127.0.0.1/hook", "https://10.0.0.8/hook",
                "https://169.254.169.254/latest/meta-data", "https://[::1]/hook", "https://localhost/hook",
                "https://user:pw@8.8.8.8/hook", "javascript:alert(1)"):
        r = client.post("/subscriptions", json={"url": url}, headers=ADMIN)
        assert r.status_code == 422 and "url refused" in r.text, url
    # A subscription whose name now resolves to loopback (DNS changed since it was made):
    # refused before any connection, recorded, not retried.
    with Session(client.app.state.engine) as session:
        session.add(Subscription(id="sub_rebound", url="https://localhost:9/hook", secret="whsec_eA==",
                                 owner="admin"))
        session.commit()
    publish(client, "doc_1")
    wait_for(lambda: (d := deliveries(client, "sub_rebound")) and d[0]["status"] == "failed")
    (d,) = deliveries(client, "sub_rebound")
    assert d["attempts"] == 1 and d["log"][0]["error"].startswith("refused:") and d["log"][0]["status_code"] is None


def test_per_endpoint_concurrency_is_limited(store_app, receivers):
    import threading
    import time

    in_flight, peak, lock = [0], [0], threading.Lock()

    def slow(n: int) -> int:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.1)
        with lock:
            in_flight[0] -= 1
        return 200

    client = store_app(WEBHOOK_ENDPOINT_CONCURRENCY=2)
    rec = receivers(slow)
    subscribe(client, rec.url)
    for n in range(8):
        publish(client, f"doc_{n}")
    wait_for(lambda: len(rec.hits) == 8)
    assert peak[0] == 2

"""How the bench scripts run the services: the environment they give them and the one
subscription that receives every webhook."""

import os

import httpx

ADMIN_KEY = "bench-admin-key-0123456789"


def service_env(redis_url: str, tmp: str, **settings: str) -> dict[str, str]:
    """The services' environment for a run in `tmp`: development mode (webhooks to
    loopback), SQLite in `tmp` unless DATABASE_URL is given, quiet logs, no canary (its
    documents would be counted). Our own settings from the calling shell are dropped, so a
    developer's exports do not skew a figure."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COUNCILWATCH_", "WEBHOOK_"))}
    return env | {
        "COUNCILWATCH_ENV": "development", "WEBHOOK_ALLOW_PRIVATE": "true", "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite:///{tmp}/store.db", "VAR_DIR": f"{tmp}/var", "LOG_LEVEL": "WARNING",
        "COUNCILWATCH_ADMIN_KEY": ADMIN_KEY, "CANARY_INTERVAL_S": "0", **settings,
    }


def subscribe_everything(store_url: str, receiver) -> None:  # noqa: ANN001 - councilwatch.receiver.Receiver
    """One subscription to every council's changes, its secret handed to the receiver."""
    sub = httpx.post(f"{store_url}/subscriptions", json={"url": receiver.url, "councils": []},
                     headers={"authorization": f"Bearer {ADMIN_KEY}"})
    sub.raise_for_status()
    receiver.secret = sub.json()["secret"]

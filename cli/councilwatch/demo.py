"""What `make demo` shows a newcomer: the monitors watching a local replay of the
publishers, and a new publication flowing to a verified webhook within seconds.

The replay starts with a small history, which the first polls seed silently (history is
not news); then a new Ofsted report and a CQC "assessment in progress" appear, and the
next polls publish them.
"""

import time
from datetime import UTC, datetime

import httpx

from councilwatch.processes import Services
from councilwatch.receiver import Receiver
from councilwatch.replay import ReplayPublisher

POLL_INTERVAL_S = 10


def demo_settings(replay: ReplayPublisher, var_dir: str) -> dict[str, str]:
    """Settings that point ingest at the replay, polling every few seconds."""
    return {
        **replay.settings(),
        "INGEST_DATABASE_URL": f"sqlite:///{var_dir}/demo/ingest.db",
        "INGEST_FIRST_RUN": "seed",
        "OFSTED_INTERVAL_S": str(POLL_INTERVAL_S),
        "CQC_INTERVAL_S": str(POLL_INTERVAL_S),
        "LGA_INTERVAL_S": str(POLL_INTERVAL_S),
        "INGEST_RATE_PER_HOST": "20",
    }


def feed_demo(env: dict[str, str], services: Services, replay: ReplayPublisher) -> Receiver:
    receiver = Receiver().start()
    store = services.url("store")
    created = httpx.post(
        f"{store}/subscriptions",
        json={"url": receiver.url, "councils": [],
              "event_types": ["publication.published", "judgement.changed", "assessment.started"]},
        headers={"authorization": f"Bearer {env['COUNCILWATCH_ADMIN_KEY']}"}, timeout=10,
    )
    created.raise_for_status()
    receiver.secret = created.json()["secret"]
    print(f"receiver listening at {receiver.url}, subscription {created.json()['id']}")
    print(f"replay publisher at {replay.base}; waiting for the first polls to seed its history...")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        sources = httpx.get(f"{services.url('ingest')}/sources", timeout=10).json()
        if all(s["initialized"] for s in sources):
            break
        time.sleep(1)
    for s in sources:
        print(f"  {s['source']}: {s['items_seen']} publications seen, none announced (first run seeds)")
    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S}"
    url = replay.add_ofsted("Darlington", marker=f"Demo run {stamp}.")
    replay.in_progress.append("Devon County Council")
    print(f"the replay now lists a new Darlington ILACS report ({url}) and Devon among CQC's assessments in "
          f"progress; the next polls (every {POLL_INTERVAL_S} s) pick them up")
    print(f"watch: {services.url('ingest')}/sources and {store}/councils/E06000005/timeline")
    return receiver

"""What `make demo` shows a newcomer: a publication flowing to a verified webhook."""

from datetime import datetime, timezone

import httpx

from councilwatch.processes import Services
from councilwatch.receiver import Receiver
from councilwatch.samples import ilacs_report


def feed_demo(env: dict[str, str], services: Services) -> Receiver:
    receiver = Receiver().start()
    store = services.url("store")
    created = httpx.post(
        f"{store}/subscriptions",
        json={"url": receiver.url, "councils": [], "event_types": ["publication.published"]},
        headers={"authorization": f"Bearer {env['COUNCILWATCH_ADMIN_KEY']}"}, timeout=10,
    )
    created.raise_for_status()
    receiver.secret = created.json()["secret"]
    print(f"receiver listening at {receiver.url}, subscription {created.json()['id']}")
    # A new report each run (the marker), so a Redis kept from an earlier run does not
    # take it for a duplicate.
    pdf = ilacs_report(council="Darlington", marker=f"Demo run {datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S}.")
    answer = httpx.post(
        f"{services.url('ingest')}/documents",
        files={"file": ("demo-ilacs-darlington.pdf", pdf, "application/pdf")}, timeout=30,
    ).json()
    print(f"fed a generated ILACS report: {answer}")
    print(f"see it at {store}/documents/{answer['document_id']}; upload more with:")
    print(f"  curl -F file=@report.pdf {services.url('ingest')}/documents")
    return receiver

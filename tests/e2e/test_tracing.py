"""One trace from upload to webhook: the W3C trace context rides in each stream message's
headers, every service logs the trace id, and the webhook request carries a child of it."""

import json

from faststream.redis.parser.binary import BinaryMessageFormatV1

from councilwatch.samples import ilacs_report
from shared import trace
from shared.events import DOCUMENTS_EXTRACTED, DOCUMENTS_FETCHED
from tests.conftest import wait_for
from tests.e2e.test_pipeline import receiver, subscribe, upload  # noqa: F401 - fixture


def _headers(redis_client, stream: str) -> list[dict]:  # noqa: ANN001
    return [BinaryMessageFormatV1.parse(fields[b"__data__"])[1] for _id, fields in redis_client.xrange(stream)]


def test_trace_context_travels_from_upload_to_webhook(services, tmp_path, receiver, redis_client):  # noqa: F811
    svc = services(f"sqlite:///{tmp_path / 'store.db'}", STREAM_TRIM_S="3600")  # read the entries afterwards
    svc.start_all()
    subscribe(svc, receiver, event_types=["publication.published"])
    accepted = upload(svc, ilacs_report(council="Darlington"))
    trace_id = accepted["trace_id"]
    assert trace_id and len(trace_id) == 32

    hook = wait_for(lambda: receiver.received and receiver.received[0])
    assert trace.trace_id_of(hook["traceparent"]) == trace_id

    fetched, = _headers(redis_client, DOCUMENTS_FETCHED)
    extracted, = _headers(redis_client, DOCUMENTS_EXTRACTED)
    spans = [fetched[trace.HEADER], extracted[trace.HEADER], hook["traceparent"]]
    assert {trace.trace_id_of(s) for s in spans} == {trace_id}
    assert len({s.split("-")[2] for s in spans}) == 3  # each hop is a span of its own

    def logged(name: str) -> list[dict]:
        return [json.loads(line) for line in svc.log(name).splitlines() if line.startswith("{")]

    for name in ("ingest", "extract", "store"):
        lines = wait_for(lambda n=name: [e for e in logged(n) if e.get("trace_id") == trace_id])
        assert any(e.get("document_id") == accepted["document_id"] for e in lines), name


def test_a_retry_of_the_same_upload_starts_no_new_trace(services, tmp_path, receiver):  # noqa: F811
    svc = services(f"sqlite:///{tmp_path / 'store.db'}")
    svc.start("ingest", wait=True)
    pdf = ilacs_report(council="Croydon")
    first, second = upload(svc, pdf), upload(svc, pdf)
    assert first["trace_id"] and second["status"] == "duplicate" and second["trace_id"] is None


def test_traceparent_rules():
    root = trace.new_traceparent()
    assert trace.is_valid(root)
    child = trace.child_of(root)
    assert trace.trace_id_of(child) == trace.trace_id_of(root) and child != root
    assert trace.trace_id_of(trace.child_of("garbage")) not in (None, trace.trace_id_of(root))
    assert not trace.is_valid("00-" + "0" * 32 + "-" + "1" * 16 + "-01")  # all-zero trace id
    with trace.active(root):
        assert trace.trace_id_of(trace.outgoing_headers()[trace.HEADER]) == trace.trace_id_of(root)
    assert trace.current() is None and trace.outgoing_headers() == {}

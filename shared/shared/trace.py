"""W3C trace context across the pipeline, without a tracing SDK.

A `traceparent` (`00-<trace id>-<span id>-01`) is made where a document enters (an upload or
a publisher's new publication). It travels in each Redis stream message's *headers*, not in
the event body, so every hop reads it the same way whatever the event: ingest → extract →
store → the webhook request itself, which carries a `traceparent` HTTP header. Each hop keeps
the trace id and takes a new span id, as the OpenTelemetry messaging conventions do, so an
OTel collector could stitch the hops together later.

While a message is handled its trace context is the *current* one (a context variable), and
`TraceLogFilter` puts its trace id on every log line written meanwhile.
"""

import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

HEADER = "traceparent"
_FORMAT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_current: ContextVar[str | None] = ContextVar("traceparent", default=None)


def new_traceparent(trace_id: str | None = None) -> str:
    """A root context, or one for a known 32-hex trace id (an event from before headers)."""
    if not (trace_id and re.fullmatch(r"[0-9a-f]{32}", trace_id)):
        trace_id = secrets.token_hex(16)
    return f"00-{trace_id}-{secrets.token_hex(8)}-01"


def is_valid(traceparent: str | None) -> bool:
    match = _FORMAT.match(traceparent or "")
    return bool(match) and set(match.group(1)) != {"0"} and set(match.group(2)) != {"0"}


def trace_id_of(traceparent: str | None) -> str | None:
    return traceparent.split("-")[1] if is_valid(traceparent) else None


def child_of(traceparent: str | None) -> str:
    """The context for the next hop: the same trace, a new span (a new root if invalid)."""
    return new_traceparent(trace_id_of(traceparent))


def current() -> str | None:
    return _current.get()


@contextmanager
def active(traceparent: str | None) -> Iterator[str | None]:
    token = _current.set(traceparent if is_valid(traceparent) else None)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def outgoing_headers() -> dict[str, str]:
    """Headers for a message published while handling the current one."""
    parent = current()
    return {HEADER: child_of(parent)} if parent else {}


class TraceLogFilter(logging.Filter):
    """Adds the current trace id to records that do not name one themselves."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "trace_id", None) is None:
            trace_id = trace_id_of(current())
            if trace_id:
                record.trace_id = trace_id
        return True

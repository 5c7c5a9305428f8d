"""A local webhook receiver for `make demo`: verifies each delivery and prints it."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from store.signing import sign

TOLERANCE_S = 300


def verify(secret: str, headers, body: bytes) -> bool:  # noqa: ANN001
    msg_id, ts = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "0")
    if not ts.isdigit() or abs(time.time() - int(ts)) > TOLERANCE_S:
        return False
    expected = sign(secret, msg_id, int(ts), body)
    return expected in headers.get("webhook-signature", "").split()


class Receiver:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, out=print) -> None:  # noqa: ANN001
        self.secret = ""
        self.received: list[dict] = []
        self.pings: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if not receiver.secret:
                    # The subscription's answer (with the secret) has not been read yet:
                    # ask for a retry rather than fail the first ping.
                    self.send_response(503)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                ok = verify(receiver.secret, self.headers, body)
                event = json.loads(body or b"{}")
                entry = {"verified": ok, "received_at": time.time(), "id": self.headers.get("webhook-id"),
                         "traceparent": self.headers.get("traceparent"), **event}
                (receiver.pings if event.get("type") == "ping" else receiver.received).append(entry)
                data = event.get("data", {})
                council = (data.get("council") or {}).get("name")
                if data.get("judgements"):
                    what = f"{council} {data.get('document_type')} {json.dumps(data.get('judgements'))}"
                else:  # a ping, a signal, a change: its data, briefly
                    what = json.dumps({k: v for k, v in data.items() if k != "links"})[:200]
                out(f"webhook {'VERIFIED' if ok else 'NOT VERIFIED'} {self.headers.get('webhook-id')} "
                    f"{event.get('type')}: {what}")
                self.send_response(200 if ok else 400)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}/webhook"

    def start(self) -> "Receiver":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

"""A loopback webhook receiver for the delivery tests: answers from a script of statuses
and records what arrived and when."""

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedReceiver:
    def __init__(self, statuses: list[int] | Callable[[int], int] = (), headers: dict[str, str] | None = None,
                 default: int = 200) -> None:
        self.statuses = statuses
        self.extra_headers = headers or {}
        self.default = default
        self.hits: list[tuple[float, dict[str, str], bytes]] = []
        self.pings: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if body.startswith(b'{"type":"ping"'):
                    # Pings are answered and kept apart; the script is for the events.
                    receiver.pings.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    self.send_response(200)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                with receiver.lock:
                    n = len(receiver.hits)
                    receiver.hits.append((time.monotonic(), {k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.status_for(n)
                self.send_response(status)
                if status in (301, 302, 307):
                    self.send_header("location", receiver.url + "/moved")
                for k, v in receiver.extra_headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def status_for(self, n: int) -> int:
        if callable(self.statuses):
            return self.statuses(n)
        return self.statuses[n] if n < len(self.statuses) else self.default

    def gaps(self) -> list[float]:
        times = [t for t, _h, _b in self.hits]
        return [b - a for a, b in zip(times, times[1:], strict=False)]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

"""The services as child processes (`councilwatch serve NAME`), for `councilwatch run`,
the end-to-end tests and the benchmarks alike."""

import contextlib
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

SERVICE_NAMES = ("store", "extract", "ingest")
PORT_SETTINGS = {"ingest": "INGEST_PORT", "extract": "EXTRACT_PORT", "store": "STORE_PORT"}
DEFAULT_PORTS = {"ingest": 8001, "extract": 8002, "store": 8003}


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(n: int) -> list[int]:
    """`n` distinct free ports: the sockets stay bound until all are chosen, since the
    kernel may hand a just-released port out again at once."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(n)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]


class Services:
    def __init__(self, env: dict[str, str], log_dir: Path | None = None, ports: dict[str, int] | None = None) -> None:
        self.env = dict(env)
        self.log_dir = log_dir
        self.ports = ports or {n: int(env.get(PORT_SETTINGS[n], DEFAULT_PORTS[n])) for n in PORT_SETTINGS}
        self.env.update({PORT_SETTINGS[n]: str(p) for n, p in self.ports.items()})
        self.env.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{self.ports['store']}")
        self.procs: dict[str, subprocess.Popen] = {}

    @classmethod
    def on_free_ports(cls, env: dict[str, str], log_dir: Path | None = None) -> "Services":
        return cls(env, log_dir, dict(zip(PORT_SETTINGS, free_ports(len(PORT_SETTINGS)), strict=True)))

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str, wait: bool = True, unique_consumer: bool = False, key: str | None = None,
              **extra_env: str) -> subprocess.Popen:
        """Start service `name`, kept as `procs[key]` (default: the name). A second replica
        takes another key and its own port, e.g. `key="extract-2", EXTRACT_PORT="0"`."""
        key = key or name
        env = dict(self.env, **extra_env)
        if env[PORT_SETTINGS[name]] == "0":
            env[PORT_SETTINGS[name]] = str(free_port())
        port = int(env[PORT_SETTINGS[name]])
        if unique_consumer:
            env["CONSUMER_NAME"] = f"{key}-{uuid.uuid4().hex[:6]}"
        out = open(self.log_dir / f"{key}.log", "ab") if self.log_dir else None  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, "-m", "councilwatch.main", "serve", name], env=env,
                                stdout=out, stderr=subprocess.STDOUT if out else None)
        self.procs[key] = proc
        if wait and not self._wait_ready(proc, name, port):
            raise RuntimeError(f"{key} did not become ready on port {port}: {self.log(key)[-3000:]}")
        return proc

    def start_all(self, **extra_env: str) -> None:
        for name in SERVICE_NAMES:
            self.start(name, **extra_env)

    def wait_ready(self, name: str, timeout_s: float = 60) -> bool:
        return self._wait_ready(self.procs[name], name, self.ports[name], timeout_s)

    def _wait_ready(self, proc: subprocess.Popen, name: str, port: int, timeout_s: float = 60) -> bool:
        """True once /readyz answers 200, as service `name`, while the process still runs (a
        taken port makes it exit, and another program's answer on that port must not count)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                if r.status_code == 200 and r.json().get("serviceId") == name:
                    return True
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
        return False

    def log(self, name: str) -> str:
        if not self.log_dir:
            return ""
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def running(self) -> bool:
        return all(p.poll() is None for p in self.procs.values())

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name)
        proc.kill()
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()

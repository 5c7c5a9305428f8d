"""`councilwatch run` and `councilwatch demo`: the whole system on one machine.

Starts a private Redis when none answers at REDIS_URL, then the three services as child
processes, and stops them all on Ctrl-C. The demo adds a local webhook receiver, a
subscription for it and a first (generated) publication.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


import httpx
import redis

from shared.settings import DEVELOPMENT_ADMIN_KEY, BaseServiceSettings

PORTS = {"ingest": "INGEST_PORT", "extract": "EXTRACT_PORT", "store": "STORE_PORT"}
DEFAULT_PORTS = {"ingest": 8001, "extract": 8002, "store": 8003}


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_private_redis(var_dir: Path) -> tuple[subprocess.Popen, str]:
    """A redis-server of our own, with append-only persistence under var/redis."""
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("No Redis answers at REDIS_URL and no redis-server is on PATH: "
                         "install redis-server or set REDIS_URL.")
    data = var_dir / "redis"
    data.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data.resolve()),
         "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(50):
        if redis_answers(url):
            return proc, url
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the private redis-server did not start")


def admin_key(var_dir: Path) -> str:
    """A random admin key kept in var/admin-key (made once, readable by its owner only)."""
    path = var_dir / "admin-key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def wait_ready(url: str, proc: subprocess.Popen, timeout_s: float = 60) -> bool:
    """True once `url` answers 200 while `proc` still runs (a busy port makes it exit, and
    another program's answer on that port must not count)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    return False


def run(demo: bool = False) -> None:
    env = dict(os.environ)
    if demo:
        env.setdefault("COUNCILWATCH_ENV", "development")
        env.setdefault("WEBHOOK_ALLOW_PRIVATE", "true")
        env.setdefault("LOG_JSON", "false")
    base = BaseServiceSettings(**{k: v for k, v in env.items() if k in BaseServiceSettings.model_fields})
    children: list[subprocess.Popen] = []
    url = env.get("REDIS_URL", base.REDIS_URL)
    if not redis_answers(url):
        proc, url = start_private_redis(base.VAR_DIR)
        children.append(proc)
        print(f"no Redis at REDIS_URL; started a private one at {url}")
    env["REDIS_URL"] = url
    if not env.get("COUNCILWATCH_ADMIN_KEY"):
        env["COUNCILWATCH_ADMIN_KEY"] = DEVELOPMENT_ADMIN_KEY if demo else admin_key(base.VAR_DIR)
        if not demo:
            print(f"admin API key: in {base.VAR_DIR / 'admin-key'}")
    ports = {name: int(env.get(key, DEFAULT_PORTS[name])) for name, key in PORTS.items()}

    def stop(*_args) -> None:  # noqa: ANN002
        for child in reversed(children):
            child.terminate()
        for child in children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        procs = {}
        for name in ("store", "extract", "ingest"):
            procs[name] = subprocess.Popen([sys.executable, "-m", "councilwatch.main", "serve", name], env=env)
            children.append(procs[name])
        for name, port in ports.items():
            if not wait_ready(f"http://127.0.0.1:{port}/readyz", procs[name]):
                print(f"{name} did not become ready on port {port} (is the port taken?)")
                stop()
            print(f"{name} ready on http://127.0.0.1:{port}")
        if demo:
            from councilwatch.demo import feed_demo

            feed_demo(env, ports)
        else:
            print("watching; Ctrl-C stops")
        while all(c.poll() is None for c in children):
            time.sleep(0.5)
        print("a service exited; stopping the rest")
        stop()
    except KeyboardInterrupt:
        stop()




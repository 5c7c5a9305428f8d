"""`councilwatch run` and `councilwatch demo`: the whole system on one machine.

Starts a private Redis when none answers at REDIS_URL, then the three services as child
processes, and stops them all on Ctrl-C. The demo points the monitors at a local replay of
the publishers and adds a local webhook receiver and a subscription for it.
"""

import os
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis

from councilwatch.processes import SERVICE_NAMES, Services, free_port
from shared.settings import DEVELOPMENT_ADMIN_KEY, BaseServiceSettings


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


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
    replay = None
    if demo:
        from councilwatch.demo import demo_settings
        from councilwatch.replay import ReplayPublisher

        # File ids differ between runs, so a state kept from an earlier demo sees news.
        replay = ReplayPublisher(first_file_id=50_300_000 + int(time.time()) % 1_000_000 * 100).with_catalogue().start()
        demo_dir = base.VAR_DIR / "demo"
        shutil.rmtree(demo_dir, ignore_errors=True)
        demo_dir.mkdir(parents=True)
        for key, value in demo_settings(replay, str(base.VAR_DIR)).items():
            env.setdefault(key, value)
    services = Services(env)

    def stop(*_args) -> None:  # noqa: ANN002
        services.stop_all()
        for child in children:
            child.terminate()
            child.wait(15)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        for name in SERVICE_NAMES:
            services.start(name, wait=False)
        for name in SERVICE_NAMES:
            if not services.wait_ready(name):
                print(f"{name} did not become ready on port {services.ports[name]} (is the port taken?)")
                stop()
            print(f"{name} ready on {services.url(name)}")
        if demo:
            from councilwatch.demo import feed_demo

            feed_demo(env, services, replay)
        else:
            print("watching; Ctrl-C stops")
        supervise(services, children)
        stop()
    except KeyboardInterrupt:
        stop()


def supervise(services: Services, children: list[subprocess.Popen], max_restarts_per_minute: int = 5) -> None:
    """Start again a service that exits (a lost consumer group makes one exit on purpose),
    as compose's `restart:` does; give up if they keep exiting, or if our Redis exits."""
    restarts: list[float] = []
    while all(c.poll() is None for c in children):
        for name, proc in list(services.procs.items()):
            if proc.poll() is None:
                continue
            now = time.monotonic()
            restarts = [t for t in restarts if t > now - 60] + [now]
            if len(restarts) > max_restarts_per_minute:
                print(f"{name} exited with code {proc.returncode}; services keep exiting, stopping")
                return
            print(f"{name} exited with code {proc.returncode}; starting it again")
            services.start(name, wait=False)
        time.sleep(0.5)
    print("the private Redis exited; stopping")

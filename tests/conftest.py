"""Fixtures on the real servers: Redis (a test database, flushed per test), PostgreSQL (a
fresh database per test) and the services as real processes on loopback ports."""

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def corpus_path(*parts: str) -> Path:
    """A file of ../shared/corpus, or a skip saying it is not there."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the real corpus lives in ../shared beside the repo)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"no Redis at {REDIS_TEST_URL} ({exc}); .ci/run starts one")
    client.flushdb()
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def _postgres_available() -> bool:
    import psycopg

    try:
        with psycopg.connect(POSTGRES_ADMIN_URL.replace("+psycopg", ""), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test, dropped afterwards."""
    import psycopg

    if not _postgres_available():
        if os.environ.get("COUNCILWATCH_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required here but does not answer at {POSTGRES_ADMIN_URL}")
        pytest.skip(f"no PostgreSQL at {POSTGRES_ADMIN_URL}")
    name = f"cw_test_{uuid.uuid4().hex[:12]}"
    admin = POSTGRES_ADMIN_URL.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")


class Services:
    """The services as child processes (`councilwatch serve NAME`), as `make run` starts them."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.procs: dict[str, subprocess.Popen] = {}
        self.ports = {"ingest": free_port(), "extract": free_port(), "store": free_port()}
        env.update(INGEST_PORT=str(self.ports["ingest"]), EXTRACT_PORT=str(self.ports["extract"]),
                   STORE_PORT=str(self.ports["store"]),
                   PUBLIC_BASE_URL=f"http://127.0.0.1:{self.ports['store']}")

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str, wait: bool = True, **extra_env: str) -> subprocess.Popen:
        env = dict(self.env, CONSUMER_NAME=f"{name}-{uuid.uuid4().hex[:6]}", **extra_env)
        log = open(self.workdir / f"{name}.log", "ab")
        proc = subprocess.Popen([sys.executable, "-m", "councilwatch.main", "serve", name],
                                env=env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = proc
        if wait:
            self.wait_ready(name)
        return proc

    def wait_ready(self, name: str, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.procs[name].poll() is not None:
                raise RuntimeError(f"{name} exited: {self.log(name)[-3000:]}")
            try:
                if httpx.get(f"{self.url(name)}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{name} not ready: {self.log(name)[-3000:]}")

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")

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


@pytest.fixture
def services(tmp_path: Path, redis_url: str) -> Iterator[callable]:
    """Factory: `services(database_url)` → a Services with settings for fast tests."""
    made: list[Services] = []

    def make(database_url: str, **env: str) -> Services:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("COUNCILWATCH_", "WEBHOOK_"))}
        base.update(
            COUNCILWATCH_ENV="development", WEBHOOK_ALLOW_PRIVATE="true", REDIS_URL=redis_url,
            DATABASE_URL=database_url, VAR_DIR=str(tmp_path / "var"), CLAIM_IDLE_MS="1000",
            DISPATCH_INTERVAL_S="0.2", LOG_JSON="true", COUNCILWATCH_ADMIN_KEY="test-admin-key-0123456789",
        )
        base.update(env)
        svc = Services(tmp_path, base)
        made.append(svc)
        return svc

    yield make
    for svc in made:
        svc.stop_all()


def wait_for(predicate, timeout_s: float = 20, interval_s: float = 0.1):  # noqa: ANN001
    """Poll until `predicate()` is truthy; return its value, or fail the test."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    pytest.fail(f"condition not met within {timeout_s} s")

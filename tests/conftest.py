"""Fixtures on the real servers: Redis (a test database, flushed per test), PostgreSQL (a
fresh database per test) and the services as real processes on loopback ports."""

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from councilwatch.processes import Services

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


class TestServices(Services):
    """Each test process gets its own consumer name, as separate machines would."""

    def start(self, name: str, wait: bool = True, key: str | None = None, **extra_env: str):  # noqa: ANN201
        return super().start(name, wait=wait, unique_consumer=True, key=key, **extra_env)


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
            # Drills count every stream entry; the canary has its own test.
            CANARY_INTERVAL_S="0",
        )
        base.update(env)
        svc = TestServices.on_free_ports(base, log_dir=tmp_path)
        made.append(svc)
        return svc

    yield make
    for svc in made:
        svc.stop_all()


def entries_added(client: redis.Redis, stream: str) -> int:
    """Entries ever added to `stream`: its length no longer says, as consumers trim it."""
    try:
        return client.xinfo_stream(stream)["entries-added"]
    except redis.ResponseError:
        return 0  # no such stream


def wait_for(predicate, timeout_s: float = 20, interval_s: float = 0.1):  # noqa: ANN001
    """Poll until `predicate()` is truthy; return its value, or fail the test."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    pytest.fail(f"condition not met within {timeout_s} s")


@pytest.fixture
def replay() -> Iterator["ReplayPublisher"]:  # noqa: F821
    """The local replay of the publishers, with its small history."""
    from councilwatch.replay import ReplayPublisher

    publisher = ReplayPublisher(search_page_size=2, listing_page_size=2).with_catalogue().start()
    yield publisher
    publisher.stop()

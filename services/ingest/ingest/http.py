"""A polite HTTP client for the publishers' sites.

Identifies itself (User-Agent with a contact), fetches only allow-listed hosts (redirects
are followed by hand, each hop checked), keeps to a per-host rate, honours robots.txt,
uses conditional GET (ETag / If-Modified-Since), retries network errors, 429 and 5xx with
exponential backoff and `Retry-After`, caps response size while streaming, and checks that
a body is what it claims to be (an HTML error page served as a PDF is not a PDF).
"""

import asyncio
import logging
import random
import time
import urllib.robotparser
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx
from prometheus_client import Counter

from shared.media import HTML, JSON, PDF
from shared.retry import parse_retry_after

log = logging.getLogger(__name__)

FETCHES = Counter("ingest_fetches_total", "HTTP fetches by source and outcome.", ["source", "outcome"])
FETCH_ERRORS = Counter("ingest_fetch_errors_total", "Failed fetches by source and status.", ["source", "status"])
MAX_REDIRECTS = 5
ROBOTS_TTL_S = 24 * 3600
ROBOTS_RETRY_S = 300


class FetchError(Exception):
    """A fetch that did not give a usable body; `status` is the HTTP status or a word."""

    def __init__(self, url: str, status: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"{url}: {status}: {message}")
        self.url = url
        self.status = status
        self.message = message
        self.retry_after = retry_after  # what the server asked for, in seconds

    @property
    def transient(self) -> bool:
        """No usable answer yet, and asking again may bring one: network error, timeout,
        429 or 5xx. Anything else is the page's answer and will not change by retrying."""
        return self.status in ("network", "timeout", "429") or self.status.startswith("5")


class Refused(FetchError):
    """Not fetched at all: the host is not allowed, or robots.txt disallows the path."""


@dataclass
class Fetched:
    url: str
    status: int  # 200, or 304 when the validators still hold
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def sniff(body: bytes, expect: str | None) -> str | None:
    """Why `body` is not the `expect`ed kind, or None."""
    head = body[:4096].lstrip().lower()
    if expect == PDF and b"%PDF-" not in body[:1024]:
        return "an HTML page where a PDF was expected" if head.startswith((b"<!doctype", b"<html")) else "not a PDF"
    if expect == HTML and b"<html" not in body[:65536].lower() and b"<!doctype" not in head[:100]:
        return "not an HTML page"
    if expect == JSON and not head.startswith((b"{", b"[")):
        return "not JSON"
    return None


class PoliteClient:
    def __init__(
        self,
        allowed_hosts: set[str],
        *,
        contact: str,
        rate_per_host: float = 1.0,
        timeout_s: float = 30,
        max_bytes: int = 50 * 1024 * 1024,
        retries: int = 4,
        backoff_s: float = 2.0,
        max_retry_after_s: float = 600,
        respect_robots: bool = True,
    ) -> None:
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.min_interval = 1.0 / rate_per_host if rate_per_host > 0 else 0.0
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_retry_after_s = max_retry_after_s
        self.respect_robots = respect_robots
        self.user_agent = f"CouncilWatch/0.1 (+mailto:{contact})"
        self._client = httpx.AsyncClient(
            timeout=timeout_s, follow_redirects=False, headers={"user-agent": self.user_agent}
        )
        self._next_slot: dict[str, float] = {}
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None]] = {}

    async def aclose(self) -> None:
        await self._client.aclose()

    def check_allowed(self, url: str) -> str:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or host not in self.allowed_hosts:
            raise Refused(url, "refused", f"host {host or '?'} is not on the allow-list")
        if parts.username or parts.password:
            raise Refused(url, "refused", "credentials in URL")
        return host

    async def _wait_turn(self, host: str) -> None:
        """Keep to `rate_per_host`: each request takes the next free slot for its host
        (taken without awaiting, so concurrent requests get distinct slots)."""
        now = time.monotonic()
        slot = max(now, self._next_slot.get(host, 0.0))
        self._next_slot[host] = slot + self.min_interval
        if slot > now:
            await asyncio.sleep(slot - now)

    async def _robots_allow(self, url: str) -> bool:
        if not self.respect_robots:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get(origin)
        if cached is None or time.monotonic() - cached[0] > ROBOTS_TTL_S:
            parser: urllib.robotparser.RobotFileParser | None = urllib.robotparser.RobotFileParser()
            try:
                await self._wait_turn(parts.hostname or "")
                r = await self._client.get(f"{origin}/robots.txt")
                if r.status_code == 200:
                    parser.parse(r.text.splitlines())
                elif r.status_code in (401, 403):
                    parser.disallow_all = True
                else:
                    parser = None  # no robots.txt: everything allowed
            except httpx.HTTPError:
                # Unreachable: the page fetch will fail too. Ask again in a few minutes
                # rather than take "no answer" as "everything allowed" for a day.
                self._robots[origin] = (time.monotonic() - ROBOTS_TTL_S + ROBOTS_RETRY_S, None)
                return True
            cached = (time.monotonic(), parser)
            self._robots[origin] = cached
        parser = cached[1]
        return parser is None or parser.can_fetch(self.user_agent, url)

    async def get(
        self,
        url: str,
        *,
        source: str,
        expect: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Fetched:
        """GET with politeness, retries and validation; raises FetchError or Refused."""
        self.check_allowed(url)
        if not await self._robots_allow(url):
            FETCHES.labels(source, "refused").inc()
            raise Refused(url, "refused", "robots.txt disallows it")
        request_headers = dict(headers or {})
        if etag:
            request_headers["if-none-match"] = etag
        if last_modified:
            request_headers["if-modified-since"] = last_modified
        attempt = 0
        while True:
            attempt += 1
            try:
                fetched = await self._get_following(url, request_headers)
            except FetchError as exc:
                retry_in = self._retry_delay(exc, attempt)
                if retry_in is None:
                    FETCHES.labels(source, "failed").inc()
                    FETCH_ERRORS.labels(source, exc.status).inc()
                    raise
                log.info("retrying fetch", extra={"url": url, "status": exc.status, "in_s": round(retry_in, 2)})
                await asyncio.sleep(retry_in)
                continue
            if fetched.status == 200:
                problem = sniff(fetched.body, expect)
                if problem:
                    FETCHES.labels(source, "refused").inc()
                    FETCH_ERRORS.labels(source, "wrong_type").inc()
                    raise FetchError(url, "wrong_type", problem)
            FETCHES.labels(source, "not_modified" if fetched.not_modified else "ok").inc()
            return fetched

    def _retry_delay(self, exc: FetchError, attempt: int) -> float | None:
        if not exc.transient or attempt > self.retries:
            return None
        delay = self.backoff_s * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)
        if exc.retry_after is not None:
            delay = max(delay, min(exc.retry_after, self.max_retry_after_s))
        return delay

    async def _get_following(self, url: str, headers: dict[str, str]) -> Fetched:
        for _ in range(MAX_REDIRECTS + 1):
            host = self.check_allowed(url)
            await self._wait_turn(host)
            try:
                async with self._client.stream("GET", url, headers=headers) as r:
                    if r.status_code in (301, 302, 303, 307, 308) and "location" in r.headers:
                        url = urljoin(url, r.headers["location"])
                        continue
                    if r.status_code == 304:
                        return Fetched(url, 304, etag=r.headers.get("etag"),
                                       last_modified=r.headers.get("last-modified"))
                    if r.status_code != 200:
                        raise FetchError(url, str(r.status_code), f"HTTP {r.status_code}",
                                         retry_after=parse_retry_after(r.headers.get("retry-after")))
                    declared = int(r.headers.get("content-length") or 0)
                    if declared > self.max_bytes:
                        raise FetchError(url, "too_large", f"{declared} bytes declared; the cap is {self.max_bytes}")
                    body = bytearray()
                    async for chunk in r.aiter_bytes():
                        body += chunk
                        if len(body) > self.max_bytes:
                            raise FetchError(url, "too_large", f"over the {self.max_bytes}-byte cap")
                    return Fetched(url, 200, bytes(body), r.headers.get("etag"), r.headers.get("last-modified"))
            except httpx.TimeoutException as exc:
                raise FetchError(url, "timeout", str(exc) or "timed out") from exc
            except httpx.HTTPError as exc:
                raise FetchError(url, "network", f"{type(exc).__name__}: {exc}") from exc
        raise FetchError(url, "redirects", f"more than {MAX_REDIRECTS} redirects")

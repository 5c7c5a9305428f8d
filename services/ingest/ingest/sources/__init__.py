"""One module per publisher, each with one job: list what is there now.

A source yields `Publication`s (and `Signal`s); the monitor (`ingest.monitor`) decides
what is new, downloads it politely and publishes it, and the scheduler (`ingest.schedule`)
runs it. Adding a publisher is adding a module here and a line in `SOURCES`.
"""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from ingest.http import FetchError, PoliteClient
from ingest.links import Link, links_in, next_page
from shared.councils import CouncilRegister
from shared.media import HTML


@dataclass(frozen=True)
class Publication:
    source: str
    key: str  # stable at the source: a new key is a new publication
    url: str  # what to download
    media_type: str
    label: str = ""
    published: date | None = None
    council_gss: str | None = None
    # Pages that can change under the same key (a CQC council page is updated); changed
    # bytes are then a new version of the publication, not a new publication.
    mutable: bool = False
    # Bytes the listing already had to fetch (a CQC API record), so they are not fetched twice.
    body: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Signal:
    """Something a source says that is not a document: a council is on CQC's list of
    assessments in progress. The monitor turns a council's entry into that list into one
    event, and notices when it leaves."""

    source: str
    kind: str
    council_gss: str
    detail: str


@dataclass
class PollContext:
    client: PoliteClient
    register: CouncilRegister
    # Only this council's publications (GSS code), or all.
    council: str | None = None
    # A backfill walks the whole history; a scheduled poll stops where it knows everything.
    deep: bool = False
    # Has this publication key been seen before? Lets paginated listings stop early.
    known: Callable[[str], bool] = lambda _key: False
    # The source's own resumable position (the CQC API's change window); saved only after
    # a poll that did not fail.
    cursor: dict[str, Any] = field(default_factory=dict)
    # What the source had to leave out, for the status page ("CQC API: no key").
    notes: list[str] = field(default_factory=list)
    # Listing pages that failed; a few are noted and skipped, a run of them ends the poll
    # (the host is down or the network closed: no point in 150 more timeouts).
    errors: list[str] = field(default_factory=list)
    failures_in_a_row: int = 0
    max_failures_in_a_row: int = 3

    def page_failed(self, exc: FetchError) -> None:
        """Note a page that failed; re-raises once too many failed in a row for want of
        an answer (`exc.transient`). A page that answered wrongly does not count."""
        self.errors.append(str(exc))
        if not exc.transient:
            return
        self.failures_in_a_row += 1
        if self.failures_in_a_row >= self.max_failures_in_a_row:
            raise exc

    def page_ok(self) -> None:
        self.failures_in_a_row = 0


class Source:
    name: str = ""

    def hosts(self) -> set[str]:
        """Every host this source may fetch from."""
        raise NotImplementedError

    def discover(self, ctx: PollContext) -> AsyncIterator[Publication | Signal]:
        raise NotImplementedError

    def attachments(self, publication: Publication, body: bytes) -> list[Publication]:
        """Further publications found in a downloaded one (a CQC page's report PDF)."""
        return []


async def listing_pages(ctx: PollContext, source: str, url: str,
                        max_pages: int) -> AsyncIterator[tuple[bytes, list[Link]]]:
    """Each page of a paginated listing, as (body, links), following its "next" link."""
    next_url: str | None = url
    for _ in range(max_pages):
        if next_url is None:
            return
        fetched = await ctx.client.get(next_url, source=source, expect=HTML)
        links = links_in(fetched.body, next_url)
        yield fetched.body, links
        next_url = next_page(links)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


__all__ = ["PollContext", "Publication", "Signal", "Source", "host_of", "listing_pages"]

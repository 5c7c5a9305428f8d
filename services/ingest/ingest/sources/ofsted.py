"""Ofsted: local authority children's services reports (ILACS, focused and monitoring
visits, JTAIs, area SEND) on reports.ofsted.gov.uk.

The reports are not on GOV.UK. Each council has a provider page `/provider/44/<URN>`
listing its publications as `<a class="publication-link" href=".../v1/file/<id>">` with a
hidden label `<span class="nonvisual">children's services inspection, pdf - 02 december
2022</span>`: a file id not seen before is a new publication, and the label gives its kind
and date. The list of provider pages comes from the search (at most 100 rows a page, about
153 results), refreshed daily; until the search first answers, the URNs of the council
register stand in, so a search outage never stops the provider pages being watched.
"""

import logging
import re
import time
from collections.abc import AsyncIterator
from datetime import date

from ingest.http import FetchError
from ingest.links import links_in
from ingest.sources import PollContext, Publication, Signal, Source, host_of, listing_pages
from shared.media import HTML, PDF

log = logging.getLogger(__name__)

SEARCH = ("/search?q=&location=&lat=&lon=&radius=&level_1_types=3&level_2_types%5B%5D=12"
          "&status%5B%5D=1&start=0&rows=100")
MAX_SEARCH_PAGES = 10
_PROVIDER = re.compile(r"/provider/44/(\d+)/?$")
_FILE = re.compile(r"/v1/file/(\d+)/?$")
_LABEL = re.compile(r"^(?P<kind>.+?),\s*pdf\s*-\s*(?P<date>\d{1,2}\s+\w+\s+\d{4})\s*$", re.I)
# Label kind → document type (the labels of monitoring visits and JTAIs are the likeliest
# to vary; extract decides the type from the document itself in any case).
LABEL_TYPES = [
    ("joint area child protection", "jtai"),
    ("area send", "area_send_inspection"),
    ("focused visit", "ilacs_focused_visit"),
    ("monitoring visit", "ilacs_monitoring_visit"),
    ("children's services inspection", "ilacs_inspection"),
]


def parse_label(label: str) -> tuple[str | None, date | None]:
    """(document type, publication date) from a hidden label, where it says them."""
    text = " ".join(label.replace("’", "'").split())
    kind = next((t for words, t in LABEL_TYPES if words in text.lower()), None)
    m = _LABEL.match(text)
    if not m:
        return kind, None
    try:
        published = time.strptime(m.group("date").title(), "%d %B %Y")
    except ValueError:
        return kind, None
    return kind, date(published.tm_year, published.tm_mon, published.tm_mday)


class OfstedSource(Source):
    name = "ofsted"

    def __init__(self, reports_url: str, files_hosts: list[str], search_ttl_s: float = 24 * 3600) -> None:
        self.reports_url = reports_url.rstrip("/")
        self.files_hosts = {h.lower() for h in files_hosts}
        self.search_ttl_s = search_ttl_s
        self._urns: set[str] = set()
        self._searched_at = float("-inf")

    def hosts(self) -> set[str]:
        return {host_of(self.reports_url)} | self.files_hosts

    async def discover(self, ctx: PollContext) -> AsyncIterator[Publication | Signal]:
        for urn, gss in await self._providers(ctx):
            page_url = f"{self.reports_url}/provider/44/{urn}"
            try:
                fetched = await ctx.client.get(page_url, source=self.name, expect=HTML)
            except FetchError as exc:
                ctx.page_failed(exc)
                continue
            ctx.page_ok()
            for link in links_in(fetched.body, page_url):
                m = _FILE.search(link.href)
                if not m or not ("publication-link" in link.classes or link.hidden_label):
                    continue
                _kind, published = parse_label(link.hidden_label)
                yield Publication(
                    source=self.name, key=f"file:{m.group(1)}", url=link.href, media_type=PDF,
                    label=link.hidden_label or link.text, published=published, council_gss=gss,
                )

    async def _providers(self, ctx: PollContext) -> list[tuple[str, str | None]]:
        """(URN, GSS code) of every provider page to read."""
        if ctx.council:
            record = ctx.register.by_gss.get(ctx.council)
            if record is None or not record.ofsted_urn:
                raise FetchError(ctx.council, "unknown_council", "no Ofsted URN for this council")
            return [(record.ofsted_urn, record.gss_code)]
        if ctx.deep or time.monotonic() - self._searched_at > self.search_ttl_s:
            try:
                self._urns = await self._search(ctx)
                self._searched_at = time.monotonic()
            except FetchError as exc:
                # The register's URNs still cover every current council.
                log.warning("Ofsted search failed; using the register's URNs", extra={"error": str(exc)})
                ctx.notes.append(f"search failed: {exc.status}")
        # The search is the authority on which pages exist; before its first answer the
        # register's URNs stand in, so an outage never stops the pages being watched.
        urns = self._urns or {r.ofsted_urn for r in ctx.register.records if r.ofsted_urn and r.current}
        return sorted((urn, _gss(ctx, urn)) for urn in urns)

    async def _search(self, ctx: PollContext) -> set[str]:
        urns: set[str] = set()
        async for _body, links in listing_pages(ctx, self.name, self.reports_url + SEARCH, MAX_SEARCH_PAGES):
            urns |= {m.group(1) for link in links if (m := _PROVIDER.search(link.href))}
        return urns


def _gss(ctx: PollContext, urn: str) -> str | None:
    record = ctx.register.by_urn.get(urn) or ctx.register.by_dfe.get(urn)
    return record.gss_code if record else None

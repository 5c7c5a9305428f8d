"""CQC: local authority adult social care assessments, the list of assessments in
progress, and provider/location inspection reports through the syndication API.

- Assessments are HTML pages only, listed newest first at
  `/care-services/local-authority-assessment-reports`; slugs ("Hertfordshire-0524") are
  not stable codes, so the council comes from the link text "<Council>: local authority
  assessment". A page can be updated, so it is watched as a mutable publication; its
  report PDF (the Downloads block) is a publication of its own.
- "Assessments in progress" on the same listing is an early signal (`assessment.started`).
- The syndication API's `/changes/location` and `/changes/provider` give the ids changed in
  a time window (ids only); each changed location is read again, and a report not seen
  before is a publication (the API record, which extract reads as JSON). The window's end is
  the cursor, saved only after a poll that did not fail. Without `CQC_API_KEY` this part is
  off, and the status page says so.
"""

import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

from ingest.http import FetchError
from ingest.links import items_under, links_in
from ingest.sources import PollContext, Publication, Signal, Source, host_of, listing_pages
from shared.media import HTML, JSON, PDF

log = logging.getLogger(__name__)

LISTING = "/care-services/local-authority-assessment-reports"
_ASSESSMENT = re.compile(r"/care-services/local-authority-assessment-reports/([^/?#]+)/?$")
_COUNCIL_IN_TEXT = re.compile(r"^(.*?):\s*local authority assessment", re.I)
MAX_LISTING_PAGES = 20
API_PAGE_SIZE = 1000
MAX_API_PAGES = 50
# A first poll of the API looks back this far (the API refreshes daily).
FIRST_WINDOW = timedelta(days=1)
# Each window starts this long before the last one ended: whether the API's bounds are
# inclusive is not documented, and a change listed twice is dropped by its key anyway.
WINDOW_OVERLAP = timedelta(minutes=5)
ASSESSMENT_STARTED = "assessment.started"


class CqcSource(Source):
    name = "cqc"

    def __init__(self, web_url: str, api_url: str, api_key: str = "") -> None:
        self.web_url = web_url.rstrip("/")
        self.api_url = api_url.rstrip("/")
        self.api_key = api_key

    def hosts(self) -> set[str]:
        return {host_of(self.web_url), host_of(self.api_url)}

    async def discover(self, ctx: PollContext) -> AsyncIterator[Publication | Signal]:
        async for item in self._assessments(ctx):
            yield item
        if not self.api_key:
            ctx.notes.append("syndication API off: no CQC_API_KEY")
            return
        async for item in self._api_changes(ctx):
            yield item

    # --- local authority assessments ---
    async def _assessments(self, ctx: PollContext) -> AsyncIterator[Publication | Signal]:
        first = True
        async for body, links in listing_pages(ctx, self.name, self.web_url + LISTING, MAX_LISTING_PAGES):
            if first:
                first = False
                for name in items_under(body, "in progress"):
                    record = ctx.register.find_in(name)
                    if record and (not ctx.council or record.gss_code == ctx.council):
                        yield Signal(self.name, ASSESSMENT_STARTED, record.gss_code, name)
            found = []
            for link in links:
                m = _ASSESSMENT.search(link.href)
                if not m:
                    continue
                named = _COUNCIL_IN_TEXT.match(link.text)
                record = ctx.register.find_in(named.group(1) if named else link.text)
                gss = record.gss_code if record else None
                if ctx.council and gss != ctx.council:
                    continue
                found.append(Publication(source=self.name, key=f"la-assessment:{m.group(1)}", url=link.href,
                                         media_type=HTML, label=link.text, council_gss=gss, mutable=True))
            # Newest first: a page of reports all known before this poll means the rest
            # are known too (asked before yielding: the monitor records what it is given).
            all_known = bool(found) and all(ctx.known(p.key) for p in found)
            for publication in found:
                yield publication
            if all_known and not ctx.deep:
                break

    def attachments(self, publication: Publication, body: bytes) -> list[Publication]:
        """The report PDF in a council page's Downloads block."""
        if not publication.key.startswith("la-assessment:"):
            return []
        slug = publication.key.split(":", 1)[1]
        found = []
        for link in links_in(body, publication.url):
            if "download" in link.section.lower() and link.href.lower().split("?")[0].endswith(".pdf"):
                found.append(Publication(
                    source=self.name, key=f"la-assessment-pdf:{slug}:{link.href.rsplit('/', 1)[-1]}",
                    url=link.href, media_type=PDF, label=link.text, council_gss=publication.council_gss,
                ))
        return found

    # --- syndication API ---
    async def _api_changes(self, ctx: PollContext) -> AsyncIterator[Publication | Signal]:
        end = datetime.now(UTC).replace(microsecond=0)
        since = ctx.cursor.get("api_until")
        start = datetime.fromisoformat(since) - WINDOW_OVERLAP if since else end - FIRST_WINDOW
        headers = {"Ocp-Apim-Subscription-Key": self.api_key}
        location_ids: list[str] = []
        for kind in ("location", "provider"):
            for change_id in await self._changed(ctx, kind, start, end, headers):
                if kind == "location":
                    location_ids.append(change_id)
                else:
                    location_ids += await self._provider_locations(ctx, change_id, headers)
        for location_id in dict.fromkeys(location_ids):
            record_url = f"{self.api_url}/locations/{location_id}"
            try:
                fetched = await ctx.client.get(record_url, source=self.name, expect=JSON, headers=headers)
                record = json.loads(fetched.body)
            except (FetchError, ValueError) as exc:
                ctx.page_failed(exc if isinstance(exc, FetchError) else FetchError(record_url, "bad_json", str(exc)))
                continue
            ctx.page_ok()
            publication = self._location_publication(ctx, record, record_url, fetched.body)
            if publication is not None:
                yield publication
        ctx.cursor["api_until"] = end.isoformat()

    async def _changed(self, ctx: PollContext, kind: str, start: datetime, end: datetime,
                       headers: dict[str, str]) -> list[str]:
        ids: list[str] = []
        for page in range(1, MAX_API_PAGES + 1):
            url = (f"{self.api_url}/changes/{kind}?startTimestamp={_stamp(start)}&endTimestamp={_stamp(end)}"
                   f"&page={page}&perPage={API_PAGE_SIZE}")
            fetched = await ctx.client.get(url, source=self.name, expect=JSON, headers=headers)
            body = json.loads(fetched.body)
            ids += [str(i) for i in body.get("changes") or []]
            if page >= int(body.get("totalPages") or 1):
                break
        return ids

    async def _provider_locations(self, ctx: PollContext, provider_id: str, headers: dict[str, str]) -> list[str]:
        url = f"{self.api_url}/providers/{provider_id}"
        try:
            record = json.loads((await ctx.client.get(url, source=self.name, expect=JSON, headers=headers)).body)
        except (FetchError, ValueError) as exc:
            ctx.page_failed(exc if isinstance(exc, FetchError) else FetchError(url, "bad_json", str(exc)))
            return []
        ctx.page_ok()
        return [str(i) for i in record.get("locationIds") or []]

    def _location_publication(self, ctx: PollContext, record: dict, url: str, body: bytes) -> Publication | None:
        """The location's newest report as a publication; None when it has none, or is
        outside England's councils (or the one council asked for)."""
        reports = sorted(record.get("reports") or [], key=lambda r: r.get("reportDate") or "", reverse=True)
        overall = ((record.get("currentRatings") or {}).get("overall") or {})
        link_id = (reports[0].get("linkId") if reports else None) or overall.get("reportLinkId")
        if not link_id:
            return None
        council = ctx.register.resolve(record.get("localAuthority") or "")
        if council is None or (ctx.council and council.gss_code != ctx.council):
            return None
        report_date = (reports[0].get("reportDate") if reports else None) or overall.get("reportDate")
        return Publication(
            source=self.name, key=f"location:{record.get('locationId')}:{link_id}", url=url, media_type=JSON,
            label=f"{record.get('name')} inspection report", published=_date(report_date),
            council_gss=council.gss_code, body=body,
        )


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None

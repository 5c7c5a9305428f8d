"""LGA: case studies and corporate peer challenge reports on local.gov.uk (no API).

- Case studies: a Drupal listing sorted newest first (`/case-studies?...&sort_by=created&
  sort_order=DESC&page=N`, N from 0), about 2,500 entries. A scheduled poll reads pages
  until one holds nothing new; a backfill walks them all. The council comes from the title
  ("Kingston Council: using AI ..."), or the slug, through the register's names.
- Corporate peer challenge reports: one listing page linking PDFs under
  `/sites/default/files/documents/`.
"""

import re
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from ingest.links import links_in
from ingest.sources import PollContext, Publication, Signal, Source, host_of, listing_pages
from shared.councils import CouncilRecord, CouncilRegister
from shared.media import HTML, PDF

CASE_STUDIES = "/case-studies?keys=&from=&to=&sort_by=created&sort_order=DESC&page=0"
PEER_CHALLENGES = ("/our-support/council-assurance-and-peer-challenge/peer-challenges-we-offer/"
                   "corporate-peer-3")
_CASE_STUDY = re.compile(r"/case-studies/([a-z0-9][a-z0-9-]*)/?$")
MAX_PAGES = 200


class LgaSource(Source):
    name = "lga"

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def hosts(self) -> set[str]:
        return {host_of(self.url)}

    async def discover(self, ctx: PollContext) -> AsyncIterator[Publication | Signal]:
        async for publication in self._case_studies(ctx):
            yield publication
        async for publication in self._peer_challenges(ctx):
            yield publication

    async def _case_studies(self, ctx: PollContext) -> AsyncIterator[Publication]:
        async for _body, links in listing_pages(ctx, self.name, self.url + CASE_STUDIES, MAX_PAGES):
            found = []
            for link in links:
                m = _CASE_STUDY.search(urlsplit(link.href).path)
                if not m or urlsplit(link.href).query:
                    continue
                record = council_of(ctx.register, link.text, m.group(1))
                if ctx.council and (record is None or record.gss_code != ctx.council):
                    continue
                found.append(Publication(
                    source=self.name, key=f"case-study:{m.group(1)}", url=link.href, media_type=HTML,
                    label=link.text, council_gss=record.gss_code if record else None,
                ))
            found = list({p.key: p for p in found}.values())  # a teaser links its title and image
            # Asked before yielding: the monitor records what it is given.
            all_known = all(ctx.known(p.key) for p in found)
            for publication in found:
                yield publication
            if not links or (all_known and not ctx.deep):
                break

    async def _peer_challenges(self, ctx: PollContext) -> AsyncIterator[Publication]:
        url = self.url + PEER_CHALLENGES
        fetched = await ctx.client.get(url, source=self.name, expect=HTML)
        for link in links_in(fetched.body, url):
            path = urlsplit(link.href).path
            if not path.lower().endswith(".pdf"):
                continue
            record = council_of(ctx.register, link.text, path.rsplit("/", 1)[-1])
            if ctx.council and (record is None or record.gss_code != ctx.council):
                continue
            yield Publication(
                source=self.name, key=f"cpc:{path}", url=link.href, media_type=PDF, label=link.text,
                council_gss=record.gss_code if record else None,
            )


def council_of(register: CouncilRegister, text: str, slug: str) -> CouncilRecord | None:
    """The council a title names ("Kingston Council: ..."), else the one its slug starts with."""
    head = text.split(":", 1)[0] if ":" in text else text
    return register.find_in(head) or register.find_in(slug.replace("-", " ").rsplit(".", 1)[0])


"""A local replay of the publishers, for the tests and `make demo`.

One HTTP server on loopback serves pages in the real shapes (SOURCES.md): Ofsted's search
(paginated) and provider pages with `publication-link` anchors and hidden labels, and the
PDF file host; CQC's assessment listing with "Assessments in progress", council pages with
a Downloads block, and the syndication API (`/changes/location`, `/locations/{id}`, key in
`Ocp-Apim-Subscription-Key`); the LGA's case-study listing (paginated) and peer challenge
reports. Documents are generated (`councilwatch.samples`), never copied.

It can add a publication, update a page, answer 429/500 for a while, be slow, serve HTML
where a PDF should be, or link to a host that is not allow-listed; and it logs every
request, so tests can count what the monitors asked for.

    replay = ReplayPublisher().with_catalogue().start()
    env = replay.settings()          # OFSTED_REPORTS_URL=..., CQC_API_KEY=...
    replay.add_ofsted("Darlington")  # a new ILACS report on Darlington's provider page
"""

import hashlib
import html
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from councilwatch.samples import (
    area_send_report,
    case_study_html,
    focused_visit_letter,
    ilacs_report,
    la_assessment_html,
    la_assessment_pdf,
    location_record,
    peer_challenge_report,
)
from shared.councils import default_register

ASSESSMENTS = "/cqc/care-services/local-authority-assessment-reports"
PEER_CHALLENGES = "/lga/our-support/council-assurance-and-peer-challenge/peer-challenges-we-offer/corporate-peer-3"
LABELS = {
    "ilacs_inspection": "children's services inspection",
    "ilacs_focused_visit": "children's services focused visit",
    "area_send_inspection": "area send full inspection",
}
Body = bytes | Callable[[], bytes]


@dataclass
class Document:
    """A leaf page or file, generated on first request and kept."""

    make: Body
    content_type: str
    modified: float = field(default_factory=time.time)
    _body: bytes | None = None

    @property
    def body(self) -> bytes:
        if self._body is None:
            self._body = self.make() if callable(self.make) else self.make
        return self._body

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass
class Fault:
    fragment: str  # applies to request paths containing this
    status: int = 500
    times: int = 1
    retry_after: str | None = None
    delay_s: float = 0.0


@dataclass
class Request:
    at: float
    path: str
    headers: dict[str, str]
    status: int = 0


class ReplayPublisher:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, search_page_size: int = 100,
                 listing_page_size: int = 10, api_key: str = "replay-api-key",
                 first_file_id: int = 50_300_000) -> None:
        self.lock = threading.RLock()
        self.search_page_size = search_page_size
        self.listing_page_size = listing_page_size
        self.api_key = api_key
        self.documents: dict[str, Document] = {}
        self.ofsted: dict[str, list[tuple[str, str]]] = {}  # URN → [(href, label)], newest first
        self.assessments: list[tuple[str, str]] = []  # (slug, link text), newest first
        self.in_progress: list[str] = []
        self.location_changes: list[tuple[float, str]] = []
        self.case_studies: list[tuple[str, str]] = []  # (slug, title), newest first
        self.peer_challenges: list[tuple[str, str]] = []  # (path, link text)
        self.faults: list[Fault] = []
        self.redirects: dict[str, str] = {}
        self.requests: list[Request] = []
        self.robots = "User-agent: *\nDisallow: /private/\n"
        self._next_file = first_file_id
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.server.daemon_threads = True
        self.base = f"http://{host}:{self.server.server_address[1]}"

    # --- running ---
    def start(self) -> "ReplayPublisher":
        threading.Thread(target=self.server.serve_forever, daemon=True, name="replay-publisher").start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def settings(self) -> dict[str, str]:
        """Environment that points every source at this replay."""
        return {
            "OFSTED_REPORTS_URL": f"{self.base}/ofsted",
            "OFSTED_FILES_HOSTS": urlsplit(self.base).hostname or "127.0.0.1",
            "CQC_WEB_URL": f"{self.base}/cqc",
            "CQC_API_URL": f"{self.base}/cqc-api/public/v1",
            "CQC_API_KEY": self.api_key,
            "LGA_URL": f"{self.base}/lga",
        }

    def requested(self, fragment: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if fragment in r.path]

    # --- publishing ---
    def with_catalogue(self) -> "ReplayPublisher":
        """A small history: what a first poll finds and should seed, not announce."""
        self.add_ofsted("Darlington", "ilacs_inspection", date(2022, 12, 2), start=date(2022, 10, 10))
        self.add_ofsted("Darlington", "ilacs_focused_visit", date(2023, 12, 1))
        self.add_ofsted("Tameside", "ilacs_inspection", date(2024, 2, 13), start=date(2023, 12, 4))
        self.add_ofsted("North Northamptonshire", "ilacs_inspection", date(2026, 7, 7), start=date(2026, 5, 11))
        self.add_cqc_assessment("Hertfordshire County Council", date(2024, 5, 17))
        self.add_cqc_assessment("Darlington Borough Council", date(2025, 3, 4))
        self.in_progress = ["Kent County Council"]
        self.add_case_study("Darlington Council", "Learning Disability Services")
        self.add_case_study("Kingston Council", "Using AI in adult social care administration")
        self.add_peer_challenge("Chelmsford City Council")
        return self

    def add_ofsted(self, council: str, kind: str = "ilacs_inspection", published: date | None = None,
                   start: date | None = None, pdf: Body | None = None, marker: str = "") -> str:
        """A new publication on the council's provider page; returns its file URL."""
        record = default_register().resolve(council)
        if record is None or not record.ofsted_urn:
            raise ValueError(f"{council} has no Ofsted URN in the register")
        published = published or date.today()
        start = start or date.fromordinal(published.toordinal() - 60)
        end = date.fromordinal(start.toordinal() + 11)
        name = record.name
        if pdf is None:
            if kind == "ilacs_focused_visit":
                pdf = lambda: focused_visit_letter(council=name, letter_date=published, start=start,  # noqa: E731
                                                   end=date.fromordinal(start.toordinal() + 1))
            elif kind == "area_send_inspection":
                pdf = lambda: area_send_report(council=name, start=start, end=date.fromordinal(start.toordinal() + 4))  # noqa: E731
            else:
                pdf = lambda: ilacs_report(council=name, start=start, end=end, marker=marker)  # noqa: E731
        with self.lock:
            self._next_file += 1
            href = f"{self.base}/ofsted-files/v1/file/{self._next_file}"
            self.documents[urlsplit(href).path] = Document(pdf, "application/pdf")
            label = f"{LABELS.get(kind, kind)}, pdf - {published:%d %B %Y}".lower()
            self.ofsted.setdefault(record.ofsted_urn, []).insert(0, (href, label))
        return href

    def add_ofsted_link(self, council: str, href: str, label: str) -> None:
        """Any link on a provider page (a hostile one, or one robots.txt disallows)."""
        record = default_register().resolve(council)
        with self.lock:
            self.ofsted.setdefault(record.ofsted_urn, []).insert(0, (href, label))

    def add_cqc_assessment(self, council: str, published: date | None = None,
                           scores: dict[str, int] | None = None) -> str:
        published = published or date.today()
        slug = f"{council.split()[0]}-{published:%m%y}"
        with self.lock:
            self.assessments.insert(0, (slug, f"{council}: local authority assessment"))
        self.update_cqc_assessment(slug, council, published, scores)
        return slug

    def update_cqc_assessment(self, slug: str, council: str, published: date, scores: dict[str, int] | None = None,
                              improvements: list[str] | None = None) -> None:
        """Put (new) bytes on the council page and its PDF."""
        pdf_path = f"/cqc/assessment-files/{slug}.pdf"
        with self.lock:
            self.documents[f"{ASSESSMENTS}/{slug}"] = Document(
                lambda: la_assessment_html(council=council, scores=scores, published=published,
                                           improvements=improvements, pdf_href=pdf_path), "text/html")
            self.documents[pdf_path] = Document(
                lambda: la_assessment_pdf(council=council, scores=scores, published=published,
                                          improvements=improvements), "application/pdf")

    def add_location(self, location_id: str, local_authority: str, report_date: str,
                     overall_rating: str = "Good") -> None:
        record = location_record(location_id, local_authority, overall_rating, report_date)
        record["reports"][0]["linkId"] = f"report-{location_id}-{report_date}"
        with self.lock:
            self.documents[f"/cqc-api/public/v1/locations/{location_id}"] = Document(
                json.dumps(record).encode(), "application/json")
            self.location_changes.append((time.time(), location_id))

    def add_case_study(self, council: str, headline: str) -> str:
        slug = "-".join(f"{council} {headline}".lower().replace(":", "").split())
        with self.lock:
            self.case_studies.insert(0, (slug, f"{council}: {headline}"))
            self.documents[f"/lga/case-studies/{slug}"] = Document(
                lambda: case_study_html(council=council, headline=headline), "text/html")
        return slug

    def add_peer_challenge(self, council: str) -> str:
        path = f"/lga/sites/default/files/documents/{council.split()[0].lower()}-cpc-feedback-report.pdf"
        with self.lock:
            self.peer_challenges.insert(0, (path, f"{council} corporate peer challenge feedback report"))
            self.documents[path] = Document(lambda: peer_challenge_report(council=council), "application/pdf")
        return path

    def replace(self, path: str, body: bytes, content_type: str) -> None:
        """Serve other bytes at `path` (an HTML error page where a PDF should be, say)."""
        with self.lock:
            self.documents[path] = Document(body, content_type)

    def fail(self, fragment: str, status: int = 500, times: int = 1, retry_after: str | None = None,
             delay_s: float = 0.0) -> None:
        """The next `times` requests whose path contains `fragment` get `status` (0: only
        the delay, then the normal answer)."""
        with self.lock:
            self.faults.append(Fault(fragment, status, times, retry_after, delay_s))

    # --- pages ---
    def _route(self, path: str, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, str, bytes, dict]:
        q = {k: v[0] for k, v in query.items()}
        if path == "/robots.txt":
            return 200, "text/plain", self.robots.encode(), {}
        if path == "/ofsted/search":
            return self._search(int(q.get("start", 0)), min(int(q.get("rows", 100)), self.search_page_size))
        if path.startswith("/ofsted/provider/44/"):
            return self._provider(path.rsplit("/", 1)[-1])
        if path == ASSESSMENTS:
            return self._assessment_listing(int(q.get("page", 0)))
        if path == PEER_CHALLENGES:
            links = "".join(f'<li><a href="{p}">{html.escape(t)}</a></li>' for p, t in self.peer_challenges)
            return _page("Corporate Peer Challenge and Progress Review reports", f"<ul>{links}</ul>")
        if path == "/lga/case-studies":
            return self._case_study_listing(int(q.get("page", 0)))
        if path.startswith("/cqc-api/"):
            if headers.get("ocp-apim-subscription-key") != self.api_key:
                body = {"statusCode": 401, "message": "Access denied due to a missing application credentials "
                                                      "or subscription key."}
                return 401, "application/json", json.dumps(body).encode(), {}
            if path.startswith("/cqc-api/public/v1/changes/"):
                return self._changes(path.rsplit("/", 1)[-1], q)
        return 404, "text/html", b"<html><body><h1>Page not found</h1></body></html>", {}

    def _search(self, start: int, rows: int) -> tuple[int, str, bytes, dict]:
        urns = sorted(self.ofsted)
        register = default_register()
        items = []
        for urn in urns[start:start + rows]:
            record = register.by_urn.get(urn)
            items.append(f'<li><a href="/ofsted/provider/44/{urn}">{html.escape(record.name if record else urn)}</a>'
                         f"<p>Local Authority Children's Services</p></li>")
        more = ""
        if start + rows < len(urns):
            more = (f'<ul class="pagination"><li class="next"><a href="/ofsted/search?q=&level_1_types=3'
                    f'&level_2_types%5B%5D=12&start={start + rows}&rows={rows}">Next</a></li></ul>')
        return _page(f"{len(urns)} results", f"<ul class='results'>{''.join(items)}</ul>{more}")

    def _provider(self, urn: str) -> tuple[int, str, bytes, dict]:
        record = default_register().by_urn.get(urn)
        if record is None:
            return 404, "text/html", b"<html><body>Not found</body></html>", {}
        links = "".join(
            f'<li><a class="publication-link" href="{html.escape(href)}">Report '
            f'<span class="nonvisual">{html.escape(label)}</span></a></li>'
            for href, label in self.ofsted.get(urn, [])
        )
        return _page(f"{record.name} local authority children's services",
                     f"<p>URN: {urn}</p><h2>Reports</h2><ul>{links}</ul>")

    def _assessment_listing(self, page: int) -> tuple[int, str, bytes, dict]:
        size = self.listing_page_size
        shown = self.assessments[page * size:(page + 1) * size]
        links = "".join(f'<li><a href="{ASSESSMENTS}/{s}">{html.escape(t)}</a></li>' for s, t in shown)
        progress = "".join(f"<li>{html.escape(n)}</li>" for n in self.in_progress) if page == 0 else ""
        more = ""
        if (page + 1) * size < len(self.assessments):
            more = f'<ul class="pagination"><li class="next"><a href="{ASSESSMENTS}?page={page + 1}">Next</a></li></ul>'
        body = (f"<p>Our reports, starting with the most recently published</p><ul>{links}</ul>{more}"
                + (f"<h2>Assessments in progress</h2><ul>{progress}</ul>" if page == 0 else ""))
        return _page("Local authority assessment reports", body)

    def _case_study_listing(self, page: int) -> tuple[int, str, bytes, dict]:
        size = self.listing_page_size
        shown = self.case_studies[page * size:(page + 1) * size]
        items = "".join(f'<div class="teaser"><h3><a href="/lga/case-studies/{s}">{html.escape(t)}</a></h3>'
                        f'<a href="/lga/case-studies/{s}"><img alt=""></a></div>' for s, t in shown)
        more = ""
        if (page + 1) * size < len(self.case_studies):
            more = (f'<nav><ul class="pagination"><li class="next"><a href="/lga/case-studies?keys=&sort_by=created'
                    f'&sort_order=DESC&page={page + 1}">Next page</a></li></ul></nav>')
        return _page("Case studies", items + more)

    def _changes(self, kind: str, q: dict[str, str]) -> tuple[int, str, bytes, dict]:
        start = _epoch(q.get("startTimestamp"))
        end = _epoch(q.get("endTimestamp"))
        # Timestamps have whole seconds; both bounds are inclusive.
        ids = [i for at, i in self.location_changes if start <= int(at) <= end] if kind == "location" else []
        body = {"total": len(ids), "page": 1, "perPage": 1000, "totalPages": 1, "changes": ids}
        return 200, "application/json", json.dumps(body).encode(), {}

    # --- HTTP ---
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes; without this, Nagle's algorithm and
                # delayed ACKs add 40 ms to every keep-alive response.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                entry = Request(time.monotonic(), self.path, headers)
                with replay.lock:
                    replay.requests.append(entry)
                    fault = next((f for f in replay.faults if f.fragment in parts.path and f.times > 0), None)
                    if fault:
                        fault.times -= 1
                if fault and fault.delay_s:
                    time.sleep(fault.delay_s)
                if fault and fault.status:
                    extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                    return self._send(entry, fault.status, "text/html", b"<html><body>Error</body></html>", extra)
                with replay.lock:
                    doc = replay.documents.get(parts.path)
                    location = replay.redirects.get(parts.path)
                if location is not None:
                    return self._send(entry, 302, "text/html", b"", {"Location": location})
                if doc is not None:
                    if headers.get("if-none-match") == doc.etag:
                        return self._send(entry, 304, doc.content_type, b"", {"ETag": doc.etag})
                    return self._send(entry, 200, doc.content_type, doc.body,
                                      {"ETag": doc.etag, "Last-Modified": formatdate(doc.modified, usegmt=True)})
                with replay.lock:
                    status, content_type, body, extra = replay._route(parts.path, parse_qs(parts.query), headers)
                self._send(entry, status, content_type, body, extra)

            def _send(self, entry: Request, status: int, content_type: str, body: bytes, extra: dict) -> None:
                entry.status = status
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        return Handler


def _page(title: str, body: str) -> tuple[int, str, bytes, dict]:
    page = (f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body>"
            f"<h1>{html.escape(title)}</h1>{body}</body></html>")
    return 200, "text/html; charset=utf-8", page.encode(), {}


def _epoch(stamp: str | None) -> float:
    if not stamp:
        return 0.0
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()

"""The publishers CouncilWatch watches, built from settings: sources, the polite client
that may fetch only their hosts, and the monitor over them."""

import logging

from ingest.http import PoliteClient
from ingest.intake import Intake
from ingest.monitor import Monitor
from ingest.settings import IngestSettings
from ingest.sources import Source
from ingest.sources.cqc import CqcSource
from ingest.sources.lga import LgaSource
from ingest.sources.ofsted import OfstedSource
from ingest.state import State
from shared.councils import default_register

log = logging.getLogger(__name__)


def make_sources(settings: IngestSettings) -> dict[str, Source]:
    every: dict[str, Source] = {
        "ofsted": OfstedSource(settings.OFSTED_REPORTS_URL, settings.OFSTED_FILES_HOSTS,
                               search_ttl_s=settings.INGEST_RECHECK_S),
        "cqc": CqcSource(settings.CQC_WEB_URL, settings.CQC_API_URL, settings.CQC_API_KEY),
        "lga": LgaSource(settings.LGA_URL),
    }
    unknown = set(settings.INGEST_SOURCES) - set(every)
    if unknown:
        raise ValueError(f"unknown sources in INGEST_SOURCES: {', '.join(sorted(unknown))}")
    if "cqc" in settings.INGEST_SOURCES and not settings.CQC_API_KEY:
        log.warning("CQC syndication API off: set CQC_API_KEY (a subscription key from the CQC API portal) "
                    "to watch provider and location reports; council assessments are still watched")
    return {name: every[name] for name in settings.INGEST_SOURCES}


def intervals(settings: IngestSettings) -> dict[str, float]:
    every = {"ofsted": settings.OFSTED_INTERVAL_S, "cqc": settings.CQC_INTERVAL_S, "lga": settings.LGA_INTERVAL_S}
    return {name: every[name] for name in settings.INGEST_SOURCES}


def make_client(settings: IngestSettings, sources: dict[str, Source]) -> PoliteClient:
    hosts = set().union(*(s.hosts() for s in sources.values())) if sources else set()
    return PoliteClient(
        hosts | set(settings.INGEST_EXTRA_ALLOWED_HOSTS), contact=settings.INGEST_CONTACT,
        rate_per_host=settings.INGEST_RATE_PER_HOST, timeout_s=settings.INGEST_HTTP_TIMEOUT_S,
        max_bytes=settings.INGEST_MAX_DOWNLOAD_BYTES, retries=settings.INGEST_RETRIES,
        backoff_s=settings.INGEST_BACKOFF_S, max_retry_after_s=settings.INGEST_MAX_RETRY_AFTER_S,
    )


def make_monitor(settings: IngestSettings, intake: Intake, state: State | None = None) -> Monitor:
    sources = make_sources(settings)
    return Monitor(
        sources, make_client(settings, sources), state or State(settings.INGEST_DATABASE_URL), intake,
        default_register(), first_run=settings.INGEST_FIRST_RUN, recheck_s=settings.INGEST_RECHECK_S,
        max_attempts=settings.INGEST_MAX_ATTEMPTS,
    )

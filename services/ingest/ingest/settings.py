from pathlib import Path
from typing import Annotated

from pydantic import field_validator, model_validator
from pydantic_settings import NoDecode

from shared.settings import BaseServiceSettings


class IngestSettings(BaseServiceSettings):
    INGEST_HOST: str = "127.0.0.1"
    INGEST_PORT: int = 8001
    INGEST_MAX_UPLOAD_BYTES: int = 50 * 1024 * 1024
    # A claimed-but-unpublished upload (crash between claim and XADD) frees after this.
    INGEST_CLAIM_TTL_S: int = 60
    # How often the canary (shared.canary) is sent down the pipeline; 0: never. The first
    # goes one interval after start.
    CANARY_INTERVAL_S: float = 900
    # The monitors' own state (what was seen and published, HTTP validators, source status).
    INGEST_DATABASE_URL: str = ""

    # --- watching the publishers ---
    # Lists are comma-separated in the environment: INGEST_SOURCES=ofsted,cqc
    INGEST_SOURCES: Annotated[list[str], NoDecode] = ["ofsted", "cqc", "lga"]
    INGEST_SCHEDULE_ENABLED: bool = True
    # First poll of a source: "seed" marks what is there as seen without publishing it;
    # "backfill" publishes it all.
    INGEST_FIRST_RUN: str = "seed"
    OFSTED_INTERVAL_S: float = 3600
    CQC_INTERVAL_S: float = 3600
    LGA_INTERVAL_S: float = 6 * 3600
    INGEST_JITTER: float = 0.1
    # How often a known page that can change (a CQC council page) is fetched again.
    INGEST_RECHECK_S: float = 24 * 3600
    INGEST_RATE_PER_HOST: float = 1.0
    INGEST_HTTP_TIMEOUT_S: float = 30
    INGEST_MAX_DOWNLOAD_BYTES: int = 50 * 1024 * 1024
    INGEST_RETRIES: int = 4
    # A publication whose fetch failed this many polls in a row is left (a backfill retries it).
    INGEST_MAX_ATTEMPTS: int = 5
    INGEST_BACKOFF_S: float = 2.0
    INGEST_MAX_RETRY_AFTER_S: float = 600
    INGEST_CONTACT: str = "councilwatch@example.org"
    # Hosts beyond the sources' own that may be fetched (the sources' hosts always may).
    INGEST_EXTRA_ALLOWED_HOSTS: Annotated[list[str], NoDecode] = []

    OFSTED_REPORTS_URL: str = "https://reports.ofsted.gov.uk"
    OFSTED_FILES_HOSTS: Annotated[list[str], NoDecode] = ["files.ofsted.gov.uk", "files.api.ofsted.gov.uk"]
    CQC_WEB_URL: str = "https://www.cqc.org.uk"
    CQC_API_URL: str = "https://api.service.cqc.org.uk/public/v1"
    CQC_API_KEY: str = ""
    LGA_URL: str = "https://www.local.gov.uk"

    @field_validator("INGEST_SOURCES", "INGEST_EXTRA_ALLOWED_HOSTS", "OFSTED_FILES_HOSTS", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _defaults(self) -> "IngestSettings":
        if not self.INGEST_DATABASE_URL:
            self.INGEST_DATABASE_URL = f"sqlite:///{Path(self.VAR_DIR) / 'ingest.db'}"
        if self.INGEST_FIRST_RUN not in ("seed", "backfill"):
            raise ValueError("INGEST_FIRST_RUN is seed or backfill")
        return self

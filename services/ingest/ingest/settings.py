from shared.settings import BaseServiceSettings


class IngestSettings(BaseServiceSettings):
    INGEST_HOST: str = "127.0.0.1"
    INGEST_PORT: int = 8001
    INGEST_MAX_UPLOAD_BYTES: int = 50 * 1024 * 1024
    # A claimed-but-unpublished upload (crash between claim and XADD) frees after this.
    INGEST_CLAIM_TTL_S: int = 60

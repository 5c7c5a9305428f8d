from shared.settings import ConsumerSettings


class ExtractSettings(ConsumerSettings):
    EXTRACT_HOST: str = "127.0.0.1"
    EXTRACT_PORT: int = 8002
    EXTRACT_MAX_BYTES: int = 50 * 1024 * 1024
    EXTRACT_MAX_PAGES: int = 2000
    # Well under CLAIM_IDLE_MS, so a slow parse is never reclaimed while it still runs.
    EXTRACT_TIMEOUT_S: float = 30.0
    EXTRACT_MEMORY_LIMIT_MB: int = 1536

"""Settings base: every service's settings class derives from this one.

Values come from the environment and `.env`. Unsafe development defaults are refused
outside development (`COUNCILWATCH_ENV=development`, which `make demo` and the tests set).
"""

from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_ADMIN_KEY = "dev-admin-key"


class BaseServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    COUNCILWATCH_ENV: Literal["development", "production"] = "production"
    REDIS_URL: str = "redis://127.0.0.1:6379/0"
    VAR_DIR: Path = Path("var")
    # Where ingest writes documents and extract reads them; shared by both services.
    BLOB_DIR: Path | None = None
    # Streams are trimmed to what some group has not yet acked (shared.trimming). This is a
    # last-resort cap (XADD MAXLEN ~) that would cut even unread entries; 0, the default,
    # means none: a full Redis then refuses new entries (ingest answers 503 and the
    # publisher is polled again) instead of dropping unread ones.
    STREAM_MAXLEN: int = 0
    LOG_LEVEL: str = "INFO"
    LOG_JSON: bool = True

    @property
    def is_development(self) -> bool:
        return self.COUNCILWATCH_ENV == "development"

    @property
    def blob_dir(self) -> Path:
        return self.BLOB_DIR or self.VAR_DIR / "blobs"


class ConsumerSettings(BaseServiceSettings):
    """Settings of a service that consumes a stream through a consumer group."""

    # Pending longer than this → another consumer reclaims the message (XAUTOCLAIM).
    CLAIM_IDLE_MS: int = 60_000
    # After this many deliveries the message goes to the dead-letter stream.
    MAX_DELIVERIES: int = 5
    CONSUMER_NAME: str | None = None
    # How often a service checks its consumer groups still exist (shared.broker.watch_groups).
    GROUP_CHECK_S: float = 5.0
    # How often a consuming service trims its streams below what every group has acked.
    STREAM_TRIM_S: float = 10.0


def require_admin_key(settings: BaseServiceSettings, key: str) -> str:
    """The admin key, or the development default in development; refuses unsafe values."""
    if not key:
        if settings.is_development:
            return DEVELOPMENT_ADMIN_KEY
        raise ValueError("COUNCILWATCH_ADMIN_KEY must be set outside development")
    if key == DEVELOPMENT_ADMIN_KEY and not settings.is_development:
        raise ValueError("the development admin key is refused outside development")
    if len(key) < 16 and not settings.is_development:
        raise ValueError("COUNCILWATCH_ADMIN_KEY must be at least 16 characters")
    return key


__all__ = [
    "DEVELOPMENT_ADMIN_KEY",
    "BaseServiceSettings",
    "ConsumerSettings",
    "model_validator",
    "require_admin_key",
]

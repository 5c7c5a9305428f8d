from pydantic import model_validator

from shared.settings import ConsumerSettings, require_admin_key


class StoreSettings(ConsumerSettings):
    STORE_HOST: str = "127.0.0.1"
    STORE_PORT: int = 8003
    # SQLite file under VAR_DIR by default; PostgreSQL as postgresql+psycopg://...
    DATABASE_URL: str = ""
    STORE_MIGRATE_ON_START: bool = True
    COUNCILWATCH_ADMIN_KEY: str = ""
    # Base of links put in webhook bodies.
    PUBLIC_BASE_URL: str = "http://127.0.0.1:8003"
    WEBHOOK_TIMEOUT_S: float = 15.0
    # Standard Webhooks schedule after the first attempt (seconds), ±20 % jitter.
    WEBHOOK_RETRY_SCHEDULE_S: list[float] = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]
    # Multiplies every delay: tests compress hours into milliseconds with it.
    WEBHOOK_TIME_SCALE: float = 1.0
    WEBHOOK_CONCURRENCY: int = 64
    # At most this many requests in flight to one endpoint.
    WEBHOOK_ENDPOINT_CONCURRENCY: int = 4
    # Retry-After is honoured between the scheduled delay and this many times it.
    WEBHOOK_RETRY_AFTER_MAX_FACTOR: float = 2.0
    # A webhook failing this many attempts in a row tells the owner `endpoint.failing` (Svix: 4).
    WEBHOOK_FAILING_AFTER_ATTEMPTS: int = 4
    # An endpoint failing this long without a success is disabled (Svix: 5 days); 410: at once.
    WEBHOOK_DISABLE_AFTER_S: float = 5 * 86400
    # After a rotation the old secret signs too, for this long.
    WEBHOOK_SECRET_OVERLAP_S: float = 86400
    # How far back a replay may reach.
    WEBHOOK_REPLAY_MAX_S: float = 14 * 86400
    # Off: this store only records (another replica sends).
    WEBHOOK_DISPATCH_ENABLED: bool = True
    # The change feed shows events older than this, so a transaction still committing an
    # earlier id cannot be skipped by a reader's cursor.
    CHANGES_SETTLE_S: float = 1.0
    # A claimed delivery not finished after this is claimed again (its sender died).
    WEBHOOK_LEASE_S: float = 60.0
    DISPATCH_INTERVAL_S: float = 1.0
    # Webhooks to loopback/private addresses and plain http: development only.
    WEBHOOK_ALLOW_PRIVATE: bool = False

    @model_validator(mode="after")
    def _safe(self) -> "StoreSettings":
        self.COUNCILWATCH_ADMIN_KEY = require_admin_key(self, self.COUNCILWATCH_ADMIN_KEY)
        if self.WEBHOOK_ALLOW_PRIVATE and not self.is_development:
            raise ValueError("WEBHOOK_ALLOW_PRIVATE is allowed only in development")
        if not self.DATABASE_URL:
            self.DATABASE_URL = f"sqlite:///{self.VAR_DIR / 'councilwatch.db'}"
        return self

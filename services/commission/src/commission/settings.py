"""Settings of the commission service, from ``COMMISSION_*`` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from servicekit.auth import AuthSettings, LedgerCredentialSettings
from servicekit.edge import EdgeSettings
from servicekit.settings import DatabaseUrl


class Settings(EdgeSettings, AuthSettings, LedgerCredentialSettings):
    model_config = SettingsConfigDict(env_prefix="COMMISSION_", extra="ignore")

    database_url: DatabaseUrl = Field(
        default="",
        description="SQLAlchemy URL of the commission database (postgresql+asyncpg://...).",
    )
    ledger_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The ledger API; its event feed is followed when no Kafka is configured.",
    )
    kafka_bootstrap_servers: str = Field(
        default="", description="Empty: follow the ledger's HTTP feed instead of Kafka."
    )
    kafka_topic: str = "receivables.ledger.v1"
    consumer_name: str = Field(default="commission", description="Kafka group id and key.")
    consume: bool = Field(default=True, description="Run the event consumer inside `serve`.")
    db_pool_size: int = Field(default=10, ge=1)
    settle_catch_up_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A settlement first waits this long for the consumer to reach the ledger's "
        "head; still behind, it is refused with 503 (consumer-behind) and nothing is written",
    )
    ready_max_lag_seconds: float = Field(
        default=30.0,
        ge=0,
        description="/readyz fails while the consumer is further behind the ledger than this "
        "(seconds between the newest event it processed and now, while events wait)",
    )
    ready_max_lag: int | None = Field(
        default=None, ge=0, description="/readyz also fails above this many events behind"
    )
    host: str = "127.0.0.1"
    port: int = 8002
    log_level: str = "INFO"

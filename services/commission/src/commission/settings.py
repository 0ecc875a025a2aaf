"""Settings of the commission service, from ``COMMISSION_*`` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from servicekit.auth import AuthSettings, LedgerCredentialSettings
from servicekit.edge import EdgeSettings
from servicekit.settings import ConsumerLagSettings, DatabaseSettings


class Settings(
    DatabaseSettings, ConsumerLagSettings, EdgeSettings, AuthSettings, LedgerCredentialSettings
):
    model_config = SettingsConfigDict(env_prefix="COMMISSION_", extra="ignore")

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
    settle_catch_up_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A settlement first waits until the consumer has processed the ledger's "
        "feed up to where it stood when the settlement was asked, at most this long; still "
        "behind, it is refused with 503 (consumer-behind) and nothing is written",
    )
    host: str = "127.0.0.1"
    port: int = 8002
    log_level: str = "INFO"

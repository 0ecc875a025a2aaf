"""Settings of the billing service, from ``BILLING_*`` environment variables."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from servicekit.auth import AuthSettings, LedgerCredentialSettings
from servicekit.edge import EdgeSettings
from servicekit.settings import DatabaseSettings


class Settings(DatabaseSettings, AuthSettings, LedgerCredentialSettings, EdgeSettings):
    model_config = SettingsConfigDict(env_prefix="BILLING_", extra="ignore")

    ledger_url: str = Field(default="http://127.0.0.1:8000", description="The ledger's HTTP API")
    host: str = "127.0.0.1"
    port: int = 8003
    tax_rates: dict[str, dict[str, Decimal]] = Field(
        default={"SG": {"*": Decimal("0.09")}},
        description="Tax (GST) rate per jurisdiction and product ('*': every product), used "
        "when a policy's product does not give its own; JSON",
    )
    max_days_ahead: int = Field(
        default=31, ge=0, description="How far after today a billing run's as_of may be"
    )
    run_workers: int = Field(
        default=4, ge=1, le=64, description="Policies a billing run bills at the same time"
    )
    kafka_bootstrap_servers: str = Field(
        default="",
        description="Empty: billing events stay in the outbox table; set: publish "
        "them to kafka_topic",
    )
    kafka_topic: str = "receivables.billing.v1"
    kafka_idempotent_producer: bool = True
    publish_interval: float = Field(default=2.0, gt=0, description="Seconds between publishes")
    log_level: str = "INFO"

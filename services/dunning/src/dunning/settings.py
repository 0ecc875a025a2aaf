"""Settings of the dunning service, from ``DUNNING_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from servicekit.auth import AuthSettings, LedgerCredentialSettings
from servicekit.edge import EdgeSettings
from servicekit.settings import ConsumerLagSettings, DatabaseSettings


class Settings(
    DatabaseSettings, ConsumerLagSettings, EdgeSettings, AuthSettings, LedgerCredentialSettings
):
    model_config = SettingsConfigDict(env_prefix="DUNNING_", extra="ignore")

    ledger_url: str = Field(default="http://127.0.0.1:8000", description="The ledger's HTTP API")
    host: str = "127.0.0.1"
    port: int = 8001
    policy_file: Path | None = Field(
        default=None, description="YAML or TOML dunning policies; unset: the packaged defaults"
    )
    outbox_dir: Path = Field(
        default=Path("var/outbox"),
        description="Notices are written here as .eml files when no SMTP host is configured "
        "(and letters to customers without an e-mail address always)",
    )
    smtp_host: str = Field(default="", description="Empty: write notices to outbox_dir")
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    smtp_use_tls: bool = False
    smtp_timeout: float = 10.0
    smtp_sender: str = "Credit Control <collections@receivables.example>"
    kafka_bootstrap_servers: str = Field(
        default="",
        description="Empty: consume the ledger's HTTP feed and keep dunning events in the "
        "outbox (GET /v1/events); set: consume receivables.ledger.v1 and publish "
        "receivables.dunning.v1",
    )
    kafka_topic: str = "receivables.dunning.v1"
    kafka_ledger_topic: str = "receivables.ledger.v1"
    kafka_idempotent_producer: bool = True
    consume: bool = Field(default=True, description="Follow the ledger's events in `serve`")
    effects_interval: float = Field(
        default=2.0, gt=0, description="Seconds between deliveries of pending notices and fees"
    )
    log_level: str = "INFO"

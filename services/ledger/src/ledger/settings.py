"""Settings of the ledger service, from ``LEDGER_*`` environment variables."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from ledger.domain.errors import LedgerError
from ledger.domain.money import to_minor
from servicekit.auth import AuthSettings
from servicekit.edge import EdgeSettings
from servicekit.settings import DatabaseSettings, DatabaseUrl

DEVELOPMENT_CHAIN_KEY = "change-me: development chain key"


class Settings(DatabaseSettings, EdgeSettings, AuthSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    database_url: DatabaseUrl = Field(
        default="",
        description="SQLAlchemy URL of the ledger database (postgresql+asyncpg://...). "
        "Empty: the embedded PostgreSQL under data_dir.",
    )
    data_dir: Path = Field(default=Path("var"), description="Embedded server data and outbox.")
    db_role: str = Field(
        default="ledger_writer",
        description="Role the service acts as; it may append events but never change one. "
        "Empty: act as the login user.",
    )
    db_pool_size: int = Field(default=20, ge=1)
    group_commit_in_flight: int = Field(
        default=1,
        ge=1,
        description="Transactions of single commands a process runs at once; commands that "
        "arrive meanwhile wait and share the next one (group commit).",
    )
    group_commit_max_queue: int = Field(
        default=1024,
        ge=1,
        description="Single commands a process keeps waiting for the next group commit; "
        "past it a command is refused with 503 and Retry-After, nothing written.",
    )
    chain_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_CHAIN_KEY),
        description="Secret of the events' HMAC hash chain; set your own in production.",
    )
    environment: Literal["development", "production"] = Field(
        default="production",
        description="`development` lets the service start with a publicly known chain key "
        "(with a warning at start and in /readyz); `production` refuses to.",
    )
    checkpoint_interval: float = Field(
        default=60.0,
        ge=0,
        description="Seconds between signed checkpoints of all stream heads taken by "
        "`ledger serve` (0: none; `ledger checkpoint` takes one).",
    )

    write_off_approval_threshold: Annotated[dict[str, Decimal], NoDecode] = Field(
        default_factory=dict,
        description="Four-eyes on write-offs: per currency, the largest amount one user "
        'writes off alone, e.g. {"SGD": "5000.00", "HKD": "30000.00"}; above it a '
        "write-off is a request a second user approves. A currency not listed: none.",
    )

    @field_validator("write_off_approval_threshold", mode="before")
    @classmethod
    def _json(cls, value: object) -> object:
        """From the environment: JSON; empty (as compose passes an unset variable): none."""
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    @field_validator("write_off_approval_threshold")
    @classmethod
    def _thresholds(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for currency, amount in value.items():
            try:
                minor = to_minor(amount, currency)
            except LedgerError as e:
                raise ValueError(f"{currency}: {e.detail}") from None
            if minor < 0:
                raise ValueError(f"{currency}: a threshold is not negative")
        return value

    def weak_chain_key(self) -> bool:
        """The built-in or an obviously placeholder key: anyone could forge a chain."""
        return self.chain_key.get_secret_value().startswith("change-me")

    host: str = "127.0.0.1"
    port: int = 8000
    kafka_bootstrap_servers: str = Field(default="", description="Empty: no relay to Kafka.")
    batch_max_body_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=1,
        description="Largest body POST /v1/batches accepts (up to 10,000 commands); "
        "other routes keep max_body_bytes.",
    )
    kafka_topic: str = "receivables.ledger.v1"
    kafka_idempotent_producer: bool = True
    relay_batch_size: int = Field(default=500, ge=1)
    relay_in_serve: bool = Field(
        default=True,
        description="With Kafka configured, `ledger serve` also runs the relay (one relay "
        "publishes at a time per database, so a separate `ledger relay` is safe too).",
    )
    log_level: str = "INFO"
    access_log: bool = Field(default=True, description="Log every HTTP request (uvicorn).")

"""Settings of the cash service, from ``CASH_*`` environment variables."""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from servicekit.auth import AuthSettings, LedgerCredentialSettings
from servicekit.edge import EdgeSettings, MiB
from servicekit.settings import DatabaseSettings


class Settings(DatabaseSettings, AuthSettings, LedgerCredentialSettings, EdgeSettings):
    model_config = SettingsConfigDict(env_prefix="CASH_", extra="ignore")

    import_max_body_bytes: int = Field(
        default=32 * MiB,
        ge=1,
        description="Largest statement file POST /v1/imports takes (a camt.053 entry is about "
        "1 KiB); other routes keep max_body_bytes.",
    )

    ledger_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The ledger API: payments are posted there, its event feed is followed "
        "(for the account directory) when no Kafka is configured.",
    )
    kafka_bootstrap_servers: str = Field(
        default="", description="Empty: follow the ledger's HTTP feed instead of Kafka."
    )
    kafka_topic: str = "receivables.ledger.v1"
    consumer_name: str = Field(default="cash", description="Kafka group id and key.")
    consume: bool = Field(default=True, description="Run the event consumer inside `serve`.")
    auto_post_threshold: int = Field(
        default=75, ge=1, le=100, description="A match scoring this or more is posted at once."
    )
    bank_accounts: Annotated[dict[str, str], NoDecode] = Field(
        default={},
        description="The jurisdiction of each bank or partner account statements arrive for, "
        'by account identifier or IBAN (JSON, e.g. {"SG12DBSS00001234567890": "SG", '
        '"CARDPAY-SG": "SG"}; spaces and case do not matter). A statement for an account not '
        "listed is refused with 422 naming it; a caller limited to some jurisdictions sees and "
        "imports only their accounts' statements.",
    )

    @field_validator("bank_accounts", mode="before")
    @classmethod
    def _json(cls, value: object) -> object:
        """From the environment: JSON; empty (as compose passes an unset variable): none."""
        if isinstance(value, str):
            return json.loads(value) if value.strip() else {}
        return value

    tolerances: dict[str, str] = Field(
        default={"SG": "5.00", "HK": "50.00"},
        description="Short-payment tolerance per jurisdiction, in the account's currency "
        '(JSON, e.g. {"SG": "5.00"}); a gap up to it is written off.',
    )
    suspense_accounts: dict[str, str] = Field(
        default={"SGD": "SUSPENSE-SGD", "HKD": "SUSPENSE-HKD"},
        description="Per currency, the ledger account that holds unidentified receipts in "
        "suspense (JSON); \"HK/SGD\": the one for a currency's receipts on one jurisdiction's "
        "bank accounts (over the currency's own). A currency without one waits in review "
        "outside the ledger.",
    )
    allocation_orders: dict[str, str] = Field(
        default={},
        description="The ledger's allocation order for money matched to an account without "
        "naming invoices (oldest_due_first, fees_first), per jurisdiction and per customer "
        'segment of one (JSON, e.g. {"HK": "fees_first", "SG/corporate": "fees_first"}; an '
        "account's segment is set with PUT /v1/accounts/{id}/segment); default "
        "oldest_due_first.",
    )
    ledger_actor: str = Field(
        default="cash", description="The name cash records on what it matches and posts."
    )
    sepa_creditor: dict[str, str] = Field(
        default={},
        description="The creditor EUR mandates are collected for, in pain.008 files (JSON: "
        '{"name", "iban", "bic", "creditor_id"}); empty: EUR mandates are not collected.',
    )
    ready_max_lag: int = Field(default=10_000, ge=0, description="/readyz fails above this lag")
    host: str = "127.0.0.1"
    port: int = 8004
    log_level: str = "INFO"

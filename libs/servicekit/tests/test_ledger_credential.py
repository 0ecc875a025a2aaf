"""Every service that calls the ledger configures its credential the same way: a bearer
token or an API key, from ``<SVC>_LEDGER_TOKEN`` / ``<SVC>_LEDGER_API_KEY``."""

from __future__ import annotations

import pytest
from pydantic_settings import SettingsConfigDict

from servicekit.auth import LedgerCredentialSettings


class Caller(LedgerCredentialSettings):
    model_config = SettingsConfigDict(env_prefix="CALLER_")


def test_a_token_is_sent_as_a_bearer_and_wins_over_a_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CALLER_LEDGER_TOKEN", "tok")
    monkeypatch.setenv("CALLER_LEDGER_API_KEY", "rk_key")
    assert Caller().ledger_headers() == {"Authorization": "Bearer tok"}


def test_an_api_key_alone_is_sent_as_x_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLER_LEDGER_API_KEY", "rk_key")
    assert Caller().ledger_headers() == {"X-API-Key": "rk_key"}
    assert "rk_key" not in repr(Caller())  # a secret, never printed


def test_nothing_configured_sends_nothing() -> None:
    assert Caller().ledger_headers() == {}


@pytest.mark.parametrize(
    "module", ["billing.settings", "cash.settings", "dunning.settings", "commission.settings"]
)
def test_every_ledger_caller_uses_the_shared_credential(
    module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_class = __import__(module, fromlist=["Settings"]).Settings
    assert issubclass(settings_class, LedgerCredentialSettings)
    prefix = module.split(".")[0].upper()
    monkeypatch.setenv(f"{prefix}_LEDGER_API_KEY", "rk_key")
    assert settings_class().ledger_headers() == {"X-API-Key": "rk_key"}

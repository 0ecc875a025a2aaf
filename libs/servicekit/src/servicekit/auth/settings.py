"""The authentication settings every service shares (under the service's own env prefix).

A service's ``Settings`` derives from :class:`AuthSettings`, so ``LEDGER_AUTH_ISSUER``,
``DUNNING_AUTH_JWKS`` ... configure it. With no ``auth_jwks`` the service accepts no bearer
token at all (API keys only): there is no default key.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings

from servicekit.auth.client import credential_headers


class AuthSettings(BaseSettings):
    auth_issuer: str = Field(default="", description="The identity provider's `iss`.")
    auth_audience: str = Field(
        default="", description="The `aud` tokens must name. Empty: the service's name."
    )
    auth_jwks: str = Field(
        default="",
        description="The issuer's JWKS: an https:// URL, a file path or the JSON itself. "
        "Empty: bearer tokens are refused (API keys only).",
    )
    auth_algorithms: str = Field(
        default="RS256,ES256", description="Accepted signing algorithms, comma separated."
    )
    auth_leeway_seconds: float = Field(default=30, ge=0, le=300, description="Clock skew.")
    auth_token_cache_seconds: float = Field(
        default=60,
        ge=0,
        description="How long a verified token is remembered (at most until it expires).",
    )
    auth_api_key_cache_seconds: float = Field(
        default=30, ge=0, description="How long a verified API key is remembered."
    )
    auth_protect_metrics: bool = Field(
        default=False, description="Require the service's metrics scope on /metrics."
    )


class LedgerCredentialSettings(BaseSettings):
    """How a service that calls the ledger authenticates: a bearer token, or an API key
    (``<SVC>_LEDGER_TOKEN`` / ``<SVC>_LEDGER_API_KEY``; the token wins when both are set)."""

    ledger_token: SecretStr = Field(
        default=SecretStr(""),
        description="Bearer token this service sends to the ledger (its service identity); "
        "`make run` mints one.",
    )
    ledger_api_key: SecretStr = Field(
        default=SecretStr(""),
        description="Or an API key from `ledger api-keys create` (sent as X-API-Key).",
    )

    def ledger_headers(self) -> dict[str, str]:
        return credential_headers(self.ledger_token, self.ledger_api_key)

"""The credential a service sends when it calls another one (e.g. dunning -> ledger)."""

from __future__ import annotations

from pydantic import SecretStr


def credential_headers(token: SecretStr, api_key: SecretStr) -> dict[str, str]:
    """``Authorization: Bearer`` for a token, else ``X-API-Key``; nothing when both are
    empty (the called service will then answer 401)."""
    if token.get_secret_value():
        return {"Authorization": f"Bearer {token.get_secret_value()}"}
    if api_key.get_secret_value():
        return {"X-API-Key": api_key.get_secret_value()}
    return {}

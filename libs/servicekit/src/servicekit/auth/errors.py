"""Refusals of the authentication edge (answered as problem+json by ``servicekit.Problems``).

- ``AuthError``: the root; has ``status``, ``rule`` and ``detail``.
  - ``Unauthenticated`` (401, with ``WWW-Authenticate``): no credential, or one that is
    expired, not yet valid, badly signed, for another issuer or audience, or revoked.
  - ``Forbidden`` (403): a valid identity without the scope the route needs.

Details never repeat the credential itself.
"""

from __future__ import annotations


class AuthError(Exception):
    status = 401
    rule = "unauthenticated"

    def __init__(self, detail: str, *, error: str = "invalid_token", realm: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.error = error
        self.realm = realm

    def challenge(self) -> str:
        """The ``WWW-Authenticate`` value (RFC 6750)."""
        parts = [f'realm="{self.realm or "receivables"}"']
        if self.error:
            parts.append(f'error="{self.error}"')
        description = self.detail.replace('"', "'")
        parts.append(f'error_description="{description}"')
        return "Bearer " + ", ".join(parts)


class Unauthenticated(AuthError):
    pass


class Forbidden(AuthError):
    status = 403
    rule = "forbidden"

    def __init__(self, detail: str, *, scope: str = "", realm: str = "") -> None:
        super().__init__(detail, error="insufficient_scope", realm=realm)
        self.scope = scope

"""Bearer JWTs verified against an issuer's JWKS (PyJWT).

The key set comes from ``jwks``: an ``https://`` / ``http://`` URL (fetched and cached with
PyJWT's ``PyJWKClient``), a file path (re-read when a token names an unknown key, so keys
can be rotated), or the JSON document itself. Only the configured algorithms are accepted
(never ``none``), and issuer, audience, expiry and subject are required.

Claims read: ``sub``; ``roles`` (list); ``scope`` (space separated, OAuth2) or ``scp``
(list); ``jurisdictions`` (list, ``*`` for all; absent: none).

A verified token is remembered (by a SHA-256 of it) for ``cache_seconds`` or until it
expires, whichever is sooner: a posting system sends the same token with every request,
and a signature check costs more than the rest of a small command.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jwt

from servicekit.auth.errors import Unauthenticated
from servicekit.auth.principal import Principal, jurisdictions_of

ASYMMETRIC = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"})


class _KeySet:
    """The verification keys of one issuer, by key id."""

    def __init__(self, jwks: str) -> None:
        self.source = jwks.strip()
        self.remote: jwt.PyJWKClient | None = None
        self.keys: dict[str | None, jwt.PyJWK] = {}
        if self.source.startswith(("http://", "https://")):
            self.remote = jwt.PyJWKClient(self.source, cache_jwk_set=True, lifespan=300)
        else:
            self._load()

    def _load(self) -> None:
        text = self.source if self.source.startswith("{") else Path(self.source).read_text()
        keys = jwt.PyJWKSet.from_dict(json.loads(text)).keys
        self.keys = {k.key_id: k for k in keys}
        if len(keys) == 1:
            self.keys.setdefault(None, keys[0])

    async def key(self, kid: str | None) -> Any:
        if self.remote is not None:
            if kid is None:
                raise Unauthenticated("the token names no signing key (kid)")
            remote = self.remote
            try:
                found = await asyncio.to_thread(remote.get_signing_key, kid)
            except jwt.PyJWKClientError as e:
                raise Unauthenticated(f"no usable signing key: {e}") from None
            return found.key
        if kid not in self.keys and not self.source.startswith("{"):
            self._load()  # a rotated key file
        if kid not in self.keys:
            raise Unauthenticated("the token is signed with an unknown key")
        return self.keys[kid].key


class JwtVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks: str,
        algorithms: Iterable[str] = ("RS256", "ES256"),
        leeway_seconds: float = 30,
        cache_seconds: float = 60,
        cache_size: int = 10_000,
    ) -> None:
        allowed = frozenset(algorithms)
        if not allowed or not allowed <= ASYMMETRIC:
            raise ValueError(f"algorithms must be asymmetric ones of {sorted(ASYMMETRIC)}")
        if not issuer or not audience:
            raise ValueError("a token verifier needs an issuer and an audience")
        self.issuer = issuer
        self.audience = audience
        self.algorithms = sorted(allowed)
        self.leeway = leeway_seconds
        self.keys = _KeySet(jwks)
        self.cache_seconds = cache_seconds
        self.cache_size = cache_size
        self._verified: dict[bytes, tuple[float, Principal]] = {}

    async def verify(self, token: str) -> Principal:
        digest = hashlib.sha256(token.encode()).digest()
        cached = self._verified.get(digest)
        if cached is not None and cached[0] > time.time():
            return cached[1]
        claims = await self._claims(token)
        principal = principal_of(claims)
        if self.cache_seconds > 0:
            if len(self._verified) >= self.cache_size:
                self._verified.clear()
            until = min(float(claims["exp"]), time.time() + self.cache_seconds)
            self._verified[digest] = (until, principal)
        return principal

    async def _claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("the bearer token is not a JWT") from None
        if header.get("alg") not in self.algorithms:
            raise Unauthenticated(f"tokens signed with {header.get('alg')!r} are not accepted")
        key = await self.keys.key(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated(f"the token is not for audience {self.audience!r}") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated("the token is from another issuer") from None
        except jwt.InvalidSignatureError:
            raise Unauthenticated("the token's signature does not verify") from None
        except jwt.PyJWTError as e:
            raise Unauthenticated(f"invalid token: {e}") from None
        return claims


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def principal_of(claims: dict[str, Any]) -> Principal:
    subject = str(claims.get("sub") or "").strip()
    if not subject:
        raise Unauthenticated("the token has no subject")
    scopes = _strings(claims.get("scope")) + _strings(claims.get("scp"))
    return Principal(
        subject=subject,
        roles=frozenset(_strings(claims.get("roles"))),
        scopes=frozenset(scopes),
        jurisdictions=jurisdictions_of(_strings(claims.get("jurisdictions"))),
        via="token",
    )

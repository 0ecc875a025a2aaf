"""The FastAPI side: who is calling (``Principal``) and ``requires(scope)`` per route.

Every route but the operational ones (``/healthz``, ``/readyz``, ``/metrics``) declares a
scope: ``principal: Annotated[Principal, requires("ledger:read")]`` or
``dependencies=[requires(...)]``. The app carries an :class:`Authenticator` in
``app.state.authenticator``; the OpenAPI document gets both security schemes.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from servicekit.auth.api_keys import ApiKeyStore
from servicekit.auth.errors import Forbidden, Unauthenticated
from servicekit.auth.principal import Principal, RoleMap
from servicekit.auth.settings import AuthSettings
from servicekit.auth.tokens import JwtVerifier

log = logging.getLogger("servicekit.auth")

bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    scheme_name="bearer",
    description="An access token (JWT) from the identity provider: `sub`, `roles`, "
    "`jurisdictions` (`*` for all), for this service's audience.",
)
api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="apiKey",
    description="A service-to-service key (`rk_...`) made with the service's "
    "`api-keys create` command.",
)


class Authenticator:
    def __init__(
        self,
        roles: RoleMap,
        *,
        tokens: JwtVerifier | None = None,
        keys: ApiKeyStore | None = None,
        protect_metrics: bool = False,
    ) -> None:
        self.roles = roles
        self.tokens = tokens
        self.keys = keys
        self.protect_metrics = protect_metrics
        self.realm = roles.service

    async def authenticate(self, token: str | None, key: str | None) -> Principal:
        if token is not None:
            if self.tokens is None:
                raise Unauthenticated("this service accepts no bearer tokens", realm=self.realm)
            return await self.tokens.verify(token)
        if key is not None:
            if self.keys is None:
                raise Unauthenticated("this service accepts no API keys", realm=self.realm)
            return await self.keys.verify(key)
        raise Unauthenticated(
            "send a bearer token (Authorization) or an API key (X-API-Key)",
            error="",
            realm=self.realm,
        )

    def check(self, principal: Principal, scope: str) -> None:
        if not self.roles.allows(principal, scope):
            raise Forbidden(
                f"{principal.subject} lacks the scope {scope}", scope=scope, realm=self.realm
            )


def authenticator_from(
    settings: AuthSettings, roles: RoleMap, keys: ApiKeyStore | None
) -> Authenticator:
    tokens = None
    if settings.auth_jwks:
        tokens = JwtVerifier(
            issuer=settings.auth_issuer,
            audience=settings.auth_audience or roles.service,
            jwks=settings.auth_jwks,
            algorithms=[a.strip() for a in settings.auth_algorithms.split(",") if a.strip()],
            leeway_seconds=settings.auth_leeway_seconds,
            cache_seconds=settings.auth_token_cache_seconds,
        )
    return Authenticator(
        roles, tokens=tokens, keys=keys, protect_metrics=settings.auth_protect_metrics
    )


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    api_key: Annotated[str | None, Depends(api_key_header)],
    x_actor: Annotated[
        str | None,
        Header(
            max_length=128,
            description="Only from a trusted service: the user it acts for, recorded as "
            "'on behalf of'. Refused from anyone else.",
        ),
    ] = None,
) -> Principal:
    auth: Authenticator = request.app.state.authenticator
    try:
        principal = await auth.authenticate(
            credentials.credentials if credentials else None, api_key
        )
    except Unauthenticated as e:
        e.realm = auth.realm
        log.info("refused %s %s: %s", request.method, request.url.path, e.detail)
        raise
    if x_actor is not None and x_actor.strip():
        if not principal.trusted_service:
            raise Forbidden(
                "X-Actor is accepted only from a trusted service identity", realm=auth.realm
            )
        principal = principal.acting_for(x_actor.strip())
    request.state.principal = principal
    return principal


Caller = Annotated[Principal, Depends(current_principal)]


async def current_actor(principal: Caller) -> str:
    """Who acts: the authenticated subject (or a trusted service's user, as such)."""
    return principal.actor


Actor = Annotated[str, Depends(current_actor)]


def require_everywhere(principal: Principal, what: str) -> None:
    """Refuse a caller limited to some jurisdictions what spans them all (403)."""
    if not principal.everywhere:
        raise Forbidden(f"{what} spans every jurisdiction; {principal.subject} is limited")


class Requires:
    """The dependency behind ``requires(scope)``; its ``scope`` is read by the route matrix."""

    def __init__(self, scope: str) -> None:
        self.scope = scope

    async def __call__(
        self, request: Request, principal: Annotated[Principal, Depends(current_principal)]
    ) -> Principal:
        auth: Authenticator = request.app.state.authenticator
        auth.check(principal, self.scope)
        return principal

    def __repr__(self) -> str:
        return f"requires({self.scope!r})"


def requires(scope: str) -> Any:
    """``Depends`` on a caller holding ``scope``; gives the :class:`Principal`."""
    return Depends(Requires(scope))


async def metrics_guard(request: Request) -> None:
    """Protects ``/metrics`` when the service's settings ask for it."""
    auth: Authenticator = request.app.state.authenticator
    if not auth.protect_metrics:
        return
    authorization = request.headers.get("authorization", "")
    token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else None
    principal = await auth.authenticate(token, request.headers.get("x-api-key"))
    auth.check(principal, auth.roles.metrics_scope)

"""Test support: tokens from a throwaway issuer, and the route x role x jurisdiction matrix.

``TestIdentity(audience)`` holds a fresh EC key; ``settings()`` are the ``auth_*`` settings
that make a service trust it (the JWKS is passed in-process, inline), ``headers(role)``
mints a bearer token. :func:`assert_route_matrix` walks an app's routes: every route
outside ``OPEN_PATHS`` must declare a scope; without a credential it answers 401
problem+json with ``WWW-Authenticate``; each role gets 403 exactly when it lacks the scope;
and a caller scoped to another jurisdiction gets 404 for the objects named in ``objects``
(one scoped to the object's own jurisdiction is let in, and its reads find the object).
:func:`assert_served_route_matrix` does the same for the app behind a service's in-process
test client.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import httpx
from fastapi import FastAPI

from servicekit.auth.issuer import LocalIssuer
from servicekit.auth.principal import ROLES, RoleMap
from servicekit.auth.routes import endpoints

OPEN_PATHS = frozenset(
    {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
)
PROBLEM = "application/problem+json"


class TestIdentity:
    __test__ = False  # not a pytest class

    def __init__(self, audience: str | Iterable[str]) -> None:
        self.issuer = LocalIssuer("urn:receivables:test-issuer", kid="test-1")
        self.audience = audience if isinstance(audience, str) else list(audience)

    def settings(self) -> dict[str, Any]:
        return {"auth_issuer": self.issuer.issuer, "auth_jwks": self.issuer.jwks_json()}

    def token(
        self,
        *roles: str,
        jurisdictions: Iterable[str] = ("*",),
        subject: str | None = None,
        **claims: Any,
    ) -> str:
        claims.setdefault("audience", self.audience)
        return self.issuer.mint(
            subject or f"{'+'.join(roles) or 'nobody'}@test",
            roles=roles,
            jurisdictions=jurisdictions,
            **claims,
        )

    def headers(
        self, *roles: str, jurisdictions: Iterable[str] = ("*",), subject: str | None = None
    ) -> dict[str, str]:
        token = self.token(*roles, jurisdictions=jurisdictions, subject=subject)
        return {"Authorization": f"Bearer {token}"}


def _url(path: str, params: Mapping[str, str], fill: Mapping[str, str]) -> str:
    return re.sub(
        r"\{(\w+)(?::\w+)?\}", lambda m: params.get(m[1]) or fill.get(m[1], "matrix-1"), path
    )


def _hid(r: httpx.Response, params: Mapping[str, str]) -> bool:
    """A 404 about the object itself (not about another part of the request)."""
    if r.status_code != 404:
        return False
    try:
        field = r.json().get("field")
    except ValueError:
        return True
    return field is None or field in params


async def assert_route_matrix(
    client: httpx.AsyncClient,
    app: FastAPI,
    roles: RoleMap,
    identity: TestIdentity,
    *,
    objects: Mapping[str, Mapping[str, str]] = {},
    fill: Mapping[str, str] = {},
    open_paths: Iterable[str] = OPEN_PATHS,
) -> int:
    """Check every route; return how many requests were made (fails listing all misses)."""
    misses: list[str] = []
    sent = 0
    routes = [e for e in endpoints(app) if e.path not in set(open_paths)]
    for e in routes:
        if len(e.scopes) != 1:
            misses.append(f"{e.method} {e.path} declares scopes {list(e.scopes)}, not one")
            continue
        scope = e.scopes[0]
        url = _url(e.path, {}, fill)
        r = await client.request(e.method, url, json={} if e.method != "GET" else None)
        sent += 1
        if r.status_code != 401 or not r.headers.get("www-authenticate"):
            misses.append(f"{e.method} {url} without credentials answered {r.status_code}")
        elif not r.headers["content-type"].startswith(PROBLEM):
            misses.append(f"{e.method} {url} 401 is not problem+json")
        for role in ROLES:
            r = await client.request(
                e.method,
                url,
                json={} if e.method != "GET" else None,
                headers=identity.headers(role),
            )
            sent += 1
            allowed = scope in roles.scopes_of([role])
            if allowed and r.status_code in (401, 403):
                misses.append(f"{e.method} {url} refused {role} ({scope}): {r.status_code}")
            if not allowed and r.status_code != 403:
                misses.append(f"{e.method} {url} let {role} in without {scope}: {r.status_code}")
        holder = next((role for role in ROLES if scope in roles.scopes_of([role])), None)
        for home, params in objects.items():
            if holder is None or not any(f"{{{name}}}" in e.path for name in params):
                continue
            url = _url(e.path, params, fill)
            for where in (home, *(j for j in objects if j != home)):
                r = await client.request(
                    e.method,
                    url,
                    json={} if e.method != "GET" else None,
                    headers=identity.headers(holder, jurisdictions=[where]),
                )
                sent += 1
                # a read must find its own object; a write may find nothing to change
                hidden = _hid(r, params) and e.method == "GET"
                if where == home and (r.status_code in (401, 403) or hidden):
                    misses.append(f"{e.method} {url} refused its own {home} user: {r.status_code}")
                if where != home and not _hid(r, params):
                    misses.append(f"{e.method} {url} ({home}) answered {where}: {r.status_code}")
    assert not misses, "\n".join(misses)
    return sent


async def assert_served_route_matrix(
    api: httpx.AsyncClient,
    roles: RoleMap,
    identity: TestIdentity,
    *,
    objects: Mapping[str, Mapping[str, str]] = {},
    fill: Mapping[str, str] = {},
    more_than: int = 100,
) -> int:
    """:func:`assert_route_matrix` on the app that ``api`` reaches in-process (its
    ``httpx.ASGITransport``), asked from a client of its own with no credential; the
    matrix must take more than ``more_than`` requests (every route x every role)."""
    transport = api._transport
    assert isinstance(transport, httpx.ASGITransport), transport
    app = transport.app
    assert isinstance(app, FastAPI), app
    async with httpx.AsyncClient(transport=transport, base_url=api.base_url) as anonymous:
        sent = await assert_route_matrix(
            anonymous, app, roles, identity, objects=objects, fill=fill
        )
    assert sent > more_than, f"only {sent} requests: is every route listed?"
    return sent

"""The scope each route declares, read from its dependencies; documented in the OpenAPI."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from servicekit.auth.edge import Requires


def _scopes(dependant: Dependant) -> list[str]:
    found = [dependant.call.scope] if isinstance(dependant.call, Requires) else []
    for sub in dependant.dependencies:
        found += _scopes(sub)
    return found


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    scopes: tuple[str, ...]


def _api_routes(app: FastAPI) -> list[Any]:
    """Every API route as served, with the prefix and dependencies of its routers."""
    contexts = getattr(routing, "iter_route_contexts", None)  # FastAPI >= 0.165: lazy routers
    if contexts is None:
        return [r for r in app.routes if isinstance(r, APIRoute)]
    return [c for c in contexts(app.routes) if isinstance(c.original_route, APIRoute)]


def endpoints(app: FastAPI) -> list[Endpoint]:
    out = []
    for route in _api_routes(app):
        scopes = tuple(dict.fromkeys(_scopes(route.dependant)))
        out += [Endpoint(m, route.path_format, scopes) for m in sorted(route.methods)]
    return out


def document(app: FastAPI, spec: dict[str, Any]) -> dict[str, Any]:
    """Name each operation's scope (``x-required-scope`` and a line of its description)."""
    for e in endpoints(app):
        op = spec.get("paths", {}).get(e.path, {}).get(e.method.lower())
        if op is None or not e.scopes:
            continue
        op["x-required-scope"] = e.scopes[0] if len(e.scopes) == 1 else list(e.scopes)
        needs = ", ".join(f"`{s}`" for s in e.scopes)
        op["description"] = (op.get("description", "") + f"\n\nRequires the scope {needs}.").strip()
    return spec

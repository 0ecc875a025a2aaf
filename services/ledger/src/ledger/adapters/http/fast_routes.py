"""The single-command routes without FastAPI's per-request dependency solving.

FastAPI solves a route's dependency graph afresh on every request, which cost about a
quarter of a command's server CPU in a profile under load. The routes stay declared in
``commands.py`` (the OpenAPI document, and every request that is not plainly valid comes
to them), and :func:`install` puts a plain route in front of each: it validates the path
parameters, the headers the route declares and the JSON body (the route's own model, in
the same Python mode FastAPI validates in), and only when all of it is valid calls the
same functions FastAPI would, in the order FastAPI calls them: the caller's
authentication (``current_principal``), the route's scope (``requires``), the visibility
of the account (``visible_account``), the command's context (``command_context``), then
the endpoint. Any request with something invalid or unusual (another content type, a
body that is not plain JSON, a value out of bounds) is handed to the FastAPI route
untouched, so its answer is the one FastAPI gives.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, get_type_hints

import orjson
from fastapi import FastAPI
from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute, serialize_response
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Message, Receive, Scope, Send

from ledger.adapters.http.access import visible_account
from ledger.adapters.http.deps import AccountId, command_context
from servicekit.auth import Principal, Requires, current_principal
from servicekit.auth.edge import api_key_header, bearer

SLOW = "ledger.fast_route.declined"  # scope key: dispatch to the FastAPI routes
HEADER_MAX = 128  # X-Actor (current_principal) and Idempotency-Key (command_context)
_account_id: TypeAdapter[str] = TypeAdapter(AccountId)
Endpoint = Callable[..., Awaitable[Any]]
JSON = "application/json"


def _json_media(content_type: str | None) -> bool:
    return content_type is not None and content_type.split(";")[0].strip() == "application/json"


class _Ahead(Route):
    """A route in front of the FastAPI ``route``: it answers plainly valid requests and
    hands anything else to the FastAPI routes."""

    def __init__(self, route: APIRoute, method: str) -> None:
        super().__init__(route.path, self._serve, methods=[method], include_in_schema=False)
        self.methods = {method}  # not HEAD, which Starlette adds to GET and FastAPI does not
        self.app = self._serve  # an ASGI app, not a request-response function
        self._endpoint: Endpoint = route.endpoint
        self._scopes = [
            d.dependency for d in route.dependencies if isinstance(d.dependency, Requires)
        ]
        assert len(self._scopes) == len(route.dependencies), route.path  # scopes only

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get(SLOW):
            return Match.NONE, {}
        match, child = super().matches(scope)
        if match != Match.FULL:
            return Match.NONE, {}
        return match, {**child, "route": self}  # for the metrics' route template

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError

    async def _principal(self, request: Request) -> Principal:
        """The caller, with the route's scopes checked, as FastAPI's dependencies do."""
        principal = await current_principal(
            request,
            await bearer(request),
            await api_key_header(request),
            request.headers.get("x-actor"),
        )
        for requires in self._scopes:
            await requires(request, principal)
        return principal

    async def _decline(self, scope: Scope, receive: Receive, send: Send, raw: bytes) -> None:
        """The FastAPI route answers, with the body as it came."""
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}

        scope[SLOW] = True
        await scope["router"](scope, replay, send)


class FastCommandRoute(_Ahead):
    """A POST route answering as the FastAPI ``route`` does, for plainly valid requests."""

    def __init__(self, route: APIRoute) -> None:
        super().__init__(route, "POST")
        hints = get_type_hints(route.endpoint)
        self._body: type[BaseModel] = hints["body"]
        names = list(inspect.signature(route.endpoint).parameters)
        self._path = [n for n in names if n not in ("body", "ctx")]
        assert names[-2:] == ["body", "ctx"], route.path

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        raw = await request.body()
        args = self._valid(request, raw)
        if args is None:
            await self._decline(scope, receive, send, raw)
            return
        headers = request.headers
        principal = await self._principal(request)
        ledger = request.app.state.ledger
        if "account_id" in args:
            args["account_id"] = await visible_account(args["account_id"], principal, ledger)
        args["ctx"] = await command_context(
            request,
            ledger,
            principal,
            headers.get("x-correlation-id"),
            headers.get("x-causation-id"),
            headers.get("idempotency-key"),
        )
        response = await self._endpoint(**args)
        await response(scope, receive, send)

    def _valid(self, request: Request, raw: bytes) -> dict[str, Any] | None:
        """The endpoint's arguments but ``ctx``, or None if anything is not plainly valid."""
        headers = request.headers
        if not _json_media(headers.get("content-type")):
            return None
        for name in ("x-actor", "idempotency-key"):
            value = headers.get(name)
            if value is not None and len(value) > HEADER_MAX:
                return None
        try:
            args: dict[str, Any] = {
                n: _account_id.validate_python(request.path_params[n]) for n in self._path
            }
            args["body"] = self._body.model_validate(orjson.loads(raw))
        except (ValidationError, orjson.JSONDecodeError, KeyError, TypeError):
            return None
        return args


class FastAccountRead(_Ahead):
    """A GET route of one account (``account_id``, the connection, the ledger and the
    ``query`` parameters) answering as the FastAPI ``route`` does, for plainly valid
    requests: the caller, the route's scopes and the account's visibility checked by the
    same functions in FastAPI's order, the answer serialized by FastAPI's own function."""

    def __init__(self, route: APIRoute, query: dict[str, TypeAdapter[Any]]) -> None:
        super().__init__(route, "GET")
        self._route = route
        self._query = query
        names = list(inspect.signature(route.endpoint).parameters)
        assert names == ["account_id", "conn", "ledger", *query], route.path
        assert route.response_field is not None, route.path
        assert isinstance(route.response_class, DefaultPlaceholder), route.path

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        args = self._valid(request)
        if args is None:
            await self._decline(scope, receive, send, b"")
            return
        principal = await self._principal(request)
        ledger = request.app.state.ledger
        account_id = await visible_account(args.pop("account_id"), principal, ledger)
        async with ledger.engine.connect() as conn:
            content = await self._endpoint(account_id, conn, ledger, **args)
        route = self._route
        body = await serialize_response(
            field=route.response_field,
            response_content=content,
            include=route.response_model_include,
            exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none,
            dump_json=True,
        )
        response = Response(body, status_code=route.status_code or 200, media_type=JSON)
        await response(scope, receive, send)

    def _valid(self, request: Request) -> dict[str, Any] | None:
        """The endpoint's path and query arguments, or None if any is not plainly valid."""
        value = request.headers.get("x-actor")
        if value is not None and len(value) > HEADER_MAX:
            return None
        query = request.query_params
        if any(k not in self._query for k in query) or len(query.multi_items()) != len(query):
            return None  # something FastAPI would read its own way
        try:
            args = {"account_id": _account_id.validate_python(request.path_params["account_id"])}
            for name, adapter in self._query.items():
                args[name] = adapter.validate_python(query.get(name))
        except (ValidationError, KeyError):
            return None
        return args


def install(app: FastAPI, routes: list[APIRoute]) -> None:
    """Serve ``routes`` (POST single-command routes) through fast routes, ahead of them."""
    fast = [FastCommandRoute(r) for r in routes]
    app.router.routes[0:0] = fast


def install_reads(app: FastAPI, routes: list[tuple[Any, dict[str, TypeAdapter[Any]]]]) -> None:
    """Serve these account reads (each with its query parameters) ahead of their routes."""
    assert routes, "no route to serve"
    assert all(isinstance(r, APIRoute) for r, _ in routes)
    app.router.routes[0:0] = [FastAccountRead(r, query) for r, query in routes]

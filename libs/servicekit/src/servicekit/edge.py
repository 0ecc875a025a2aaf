"""Input limits at the edge, before any route parses a request.

:class:`InputGuard` is a plain ASGI middleware every service gets from
:meth:`servicekit.Problems.install`. It refuses, as ``application/problem+json`` and before
the application sees the request:

- a body larger than ``max_body_bytes`` -- ``413 body-too-large`` (by ``Content-Length``
  without reading it, or while reading a chunked body);
- a request head (headers) larger than ``max_header_bytes`` -- ``431 headers-too-large``
  (a server started with :func:`servicekit.server.serve` answers that already while
  parsing; this covers any other ASGI server);
- a NUL character (U+0000) in a header, the path, a query value or any string of a JSON
  body -- ``422 nul-character`` naming the field. PostgreSQL cannot store NUL in text, so
  without this the request failed deep inside with a 500.

A client that disconnects before its body ends is not answered, and its request never
reaches the application: nothing runs on half a body (a JSON route answered a 400 to no
one; a route reading the raw body, a statement import or a batch, failed with
``ClientDisconnect``, logged as an error of the application).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from pydantic import Field
from pydantic_settings import BaseSettings
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eventfeed.problems import field_name

MiB = 1024 * 1024
DEFAULT_MAX_BODY_BYTES = MiB
DEFAULT_MAX_HEADER_BYTES = 16 * 1024


class EdgeSettings(BaseSettings):
    """The limits a service's ``Settings`` inherits (read with the service's prefix)."""

    max_body_bytes: int = Field(
        default=DEFAULT_MAX_BODY_BYTES,
        ge=1,
        description="Largest request body accepted; larger ones get 413 before parsing.",
    )
    max_header_bytes: int = Field(
        default=DEFAULT_MAX_HEADER_BYTES,
        ge=1024,
        description="Largest request head (request line and headers); larger gets 431.",
    )

    def limits(self) -> Limits:
        return Limits(self.max_body_bytes, self.max_header_bytes)


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES
    bodies: tuple[tuple[str, int], ...] = ()  # (path, its own body limit), e.g. a batch route

    def body_limit(self, path: str) -> int:
        return next((limit for p, limit in self.bodies if p == path), self.max_body_bytes)


# (status, rule, title, detail, field) -> the response to send
Refuse = Callable[[int, str, str, str, "str | None"], tuple[dict[str, Any], bytes]]


class _TooLarge(Exception):
    pass


def nul_field(value: Any, loc: tuple[Any, ...] = ("body",)) -> str | None:
    """The first field of a parsed JSON body holding a NUL character, or None."""
    if isinstance(value, str):
        return field_name(loc) if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                return field_name(loc)
            found = nul_field(item, (*loc, key))
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = nul_field(item, (*loc, i))
            if found:
                return found
    return None


def _header_name(raw: bytes) -> str:
    return field_name(("header", raw.decode("latin-1")))


def nul_in_request(scope: Scope) -> str | None:
    """The header, path or query parameter of a request holding a NUL character."""
    for name, value in scope.get("headers", ()):
        if b"\x00" in value or b"\x00" in name:
            return _header_name(name)
    if "\x00" in scope.get("path", ""):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    for key, value in parse_qsl(query, keep_blank_values=True):
        if "\x00" in key or "\x00" in value:
            return key.replace("\x00", "") or "query"
    return None


class InputGuard:
    """Refuses oversized, NUL-carrying requests before the app parses them."""

    def __init__(self, app: ASGIApp, refuse: Refuse, limits: Limits) -> None:
        self.app = app
        self.refuse = refuse
        self.limits = limits

    async def _send(
        self, send: Send, status: int, rule: str, detail: str, field: str | None = None
    ) -> None:
        title = {413: "Content Too Large", 431: "Request Header Fields Too Large"}.get(
            status, "Invalid request"
        )
        headers, body = self.refuse(status, rule, title, detail, field)
        raw_headers = [(k.encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.limits
        head = sum(len(k) + len(v) + 4 for k, v in scope.get("headers", ()))
        head += len(scope.get("raw_path", b"")) + len(scope.get("query_string", b""))
        if head > limits.max_header_bytes:
            detail = f"the request's headers exceed {limits.max_header_bytes} bytes"
            await self._send(send, 431, "headers-too-large", detail)
            return
        at_fault = nul_in_request(scope)
        if at_fault:
            await self._send(send, 422, "nul-character", _nul_detail(at_fault), at_fault)
            return
        max_body = limits.body_limit(scope.get("path", ""))
        too_large = f"the request body exceeds {max_body} bytes"
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body:
            await self._send(send, 413, "body-too-large", too_large, "body")
            return
        try:
            body, complete = await self._read(receive, max_body)
        except _TooLarge:
            await self._send(send, 413, "body-too-large", too_large, "body")
            return
        if not complete:
            return  # the client left before its body ended: no one to answer, nothing to run
        if body and (b"\\u0000" in body or b"\x00" in body):
            at_fault = _nul_in_json(body)
            if at_fault:
                await self._send(send, 422, "nul-character", _nul_detail(at_fault), at_fault)
                return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive, max_body: int) -> tuple[bytes, bool]:
        """The whole body (at most the limit); whether the client disconnected instead."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks), False
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_body:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), True


def _nul_detail(at_fault: str) -> str:
    return f"{at_fault}: contains a NUL character (U+0000), which text cannot hold"


def _nul_in_json(body: bytes) -> str | None:
    try:
        return nul_field(json.loads(body))
    except (ValueError, RecursionError):
        return None  # malformed or nested too deeply: the route's own validation refuses it


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay

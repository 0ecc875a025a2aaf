"""Serving a service with uvicorn, oversized request heads answered ``431``, requests that
are not HTTP ``400``, both as problems.

uvicorn's httptools protocol has no limit on a request's head, and its h11 protocol drops
an oversized one with a plain-text ``400``. :class:`HeadLimitedProtocol` counts the
request line and headers while parsing and answers ``431 Request Header Fields Too
Large`` as ``application/problem+json`` (rule ``headers-too-large``) once they pass the
limit, without buffering more of them, and a request the parser refuses (a
``Content-Length`` given twice, with chunked encoding, a malformed chunk) ``400`` (rule
``malformed-request``) where uvicorn answers plain text; :func:`serve` runs a service with
it.

The limit travels in uvicorn's own ``h11_max_incomplete_event_size`` setting, so the
protocol class needs no arguments and works with ``workers > 1`` too.
"""

from __future__ import annotations

import json
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from servicekit.edge import DEFAULT_MAX_HEADER_BYTES, Limits
from servicekit.problems import MEDIA_TYPE


class HeadTooLarge(Exception):
    """Raised inside a parser callback; httptools turns it into a parser error."""


class HeadLimitedProtocol(HttpToolsProtocol):
    """httptools' protocol, refusing a request head larger than the configured limit."""

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self._limit = config.h11_max_incomplete_event_size or DEFAULT_MAX_HEADER_BYTES
        app = config.app
        self._service = app.split(".", 1)[0] if isinstance(app, str) else "service"
        self._head = 0  # bytes of the current request's head parsed so far
        self._unparsed = 0  # bytes received while a head is incomplete
        self._in_head = True
        self._too_large = False

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head = 0
        self._in_head = True

    def _grow(self, size: int) -> None:
        self._head += size
        if self._head > self._limit:
            self._too_large = True
            raise HeadTooLarge

    def on_url(self, url: bytes) -> None:
        self._grow(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._grow(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._unparsed = 0
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._in_head or self.transport.is_closing():
            return
        self._unparsed += len(data)
        if self._unparsed > 2 * self._limit:
            # one header still arriving, already far past the limit: stop buffering it
            self._too_large = True
            self.send_400_response("")

    def send_400_response(self, msg: str) -> None:
        """Answer a request that cannot be parsed, as a problem like any other refusal:
        431 for a head past the limit, else 400 (a Content-Length given twice or not a
        number, Content-Length with chunked encoding, a malformed chunk ...)."""
        if self._too_large:
            self._refuse(
                431,
                "Request Header Fields Too Large",
                "headers-too-large",
                f"the request's headers exceed {self._limit} bytes",
            )
        else:
            detail = f"not a valid HTTP/1.1 request: {msg.rstrip('.') or 'malformed'}"
            self._refuse(400, "Bad Request", "malformed-request", detail)

    def _refuse(self, status: int, title: str, rule: str, detail: str) -> None:
        body = json.dumps(
            {
                "type": f"urn:receivables-{self._service}:problem:{rule}",
                "title": title,
                "status": status,
                "detail": detail,
                "rule": rule,
            }
        ).encode()
        head = (
            f"HTTP/1.1 {status} {title}\r\n"
            f"content-type: {MEDIA_TYPE}\r\ncontent-length: {len(body)}\r\n"
            "connection: close\r\n\r\n"
        )
        self.transport.write(head.encode("latin-1") + body)
        self.transport.close()


def serve(app: str, *, limits: Limits, **options: Any) -> None:
    """``uvicorn.run(app, **options)`` with the head limit of ``limits``."""
    uvicorn.run(
        app,
        http=HeadLimitedProtocol,
        h11_max_incomplete_event_size=limits.max_header_bytes,
        **options,
    )

"""A real uvicorn server started with servicekit's protocol: oversized heads get a 431,
requests that are not HTTP a 400, both as problems.

Plain uvicorn (httptools) accepts any head size and its h11 protocol drops the connection
after a plain-text 400; these tests talk raw HTTP/1.1 over a socket to a started server.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from servicekit.apitest import serving
from servicekit.edge import Limits

LIMIT = 4096


@pytest.fixture
def port() -> Iterator[int]:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    with serving(lambda: app, Limits(max_header_bytes=LIMIT)) as url:
        yield int(url.rsplit(":", 1)[1])


async def _exchange(port: int, *requests: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for request in requests:
            writer.write(request)
            await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()


def _get(headers: str = "", close: bool = True) -> bytes:
    end = "Connection: close\r\n" if close else ""
    return f"GET /ping HTTP/1.1\r\nHost: x\r\n{headers}{end}\r\n".encode()


def _status_and_body(answer: bytes) -> tuple[int, bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


async def test_a_normal_request_is_served_and_keeps_alive(port: int) -> None:
    answer = await _exchange(port, _get(close=False) + _get())
    assert answer.count(b"HTTP/1.1 200 OK") == 2


async def test_headers_over_the_limit_are_a_431_problem(port: int) -> None:
    many = "".join(f"X-Filler-{i}: {'v' * 100}\r\n" for i in range(60))
    status, body = _status_and_body(await _exchange(port, _get(many)))
    assert status == 431
    problem = json.loads(body)
    assert (problem["status"], problem["rule"]) == (431, "headers-too-large")


async def test_one_endless_header_is_cut_off_with_a_431(port: int) -> None:
    start = b"GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: "
    status, body = _status_and_body(await _exchange(port, start + b"v" * (3 * LIMIT)))
    assert status == 431
    assert json.loads(body)["rule"] == "headers-too-large"


async def test_a_long_url_counts_too(port: int) -> None:
    request = f"GET /ping?q={'a' * 2 * LIMIT} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    status, _ = _status_and_body(await _exchange(port, request))
    assert status == 431


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: 4\r\nContent-Length: 5\r\n\r\n<x/>",
        b"Content-Length: -1\r\n\r\n<x/>",
        b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n<x/>\r\n0\r\n\r\n",
        b"Transfer-Encoding: chunked\r\n\r\nZZ\r\n<x/>\r\n0\r\n\r\n",
    ],
    ids=["two lengths", "negative length", "length and chunked", "bad chunk"],
)
async def test_a_request_that_is_not_http_is_a_400_problem(port: int, framing: bytes) -> None:
    request = b"POST /ping HTTP/1.1\r\nHost: x\r\n" + framing
    answer = await _exchange(port, request)
    status, body = _status_and_body(answer)
    assert status == 400
    assert b"content-type: application/problem+json" in answer.lower()
    problem = json.loads(body)
    assert (problem["status"], problem["rule"]) == (400, "malformed-request")
    assert problem["detail"].startswith("not a valid HTTP/1.1 request")

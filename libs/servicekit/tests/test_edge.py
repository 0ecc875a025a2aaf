"""The edge guard: oversized bodies and heads, NUL characters, refused before any route.

Each case is sent to a small FastAPI app whose route records what reached it, so the
tests show both the answer and that the application never saw the request.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Header
from pydantic import BaseModel

from servicekit import Problems
from servicekit.edge import Limits, nul_field


class ServiceError(Exception):
    pass


class Body(BaseModel):
    name: str
    lines: list[dict[str, str]] = []


def make_app(limits: Limits) -> tuple[FastAPI, list[Any]]:
    seen: list[Any] = []
    app = FastAPI()
    Problems(service="test", root=ServiceError, status={}).install(app, limits)

    @app.post("/things")
    async def post_thing(body: Body) -> dict[str, str]:
        seen.append(body)
        return {"name": body.name}

    @app.get("/things")
    async def get_things(q: str = "", x_note: str | None = Header(None)) -> dict[str, str]:
        seen.append(q)
        return {"q": q}

    return app, seen


@pytest.fixture
def limits() -> Limits:
    return Limits(max_body_bytes=1000, max_header_bytes=2048)


@pytest.fixture
async def guarded(limits: Limits) -> Any:
    app, seen = make_app(limits)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client, seen


def assert_problem(r: httpx.Response, status: int, rule: str, field: str | None) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert (body["status"], body["rule"], body.get("field")) == (status, rule, field)
    assert body["type"] == f"urn:receivables-test:problem:{rule}"


async def test_a_body_within_the_limit_reaches_the_route(guarded: Any) -> None:
    client, seen = guarded
    r = await client.post("/things", json={"name": "x" * 900})
    assert r.status_code == 200, r.text
    assert len(seen) == 1


async def test_a_body_over_the_limit_is_413_by_content_length(guarded: Any) -> None:
    client, seen = guarded
    r = await client.post("/things", json={"name": "x" * 1000})
    assert_problem(r, 413, "body-too-large", "body")
    assert seen == []


async def test_a_chunked_body_over_the_limit_is_413_while_reading(guarded: Any) -> None:
    client, seen = guarded

    async def chunks() -> Any:
        for _ in range(20):
            yield b'{"name": "' + b"x" * 100

    r = await client.post("/things", content=chunks())
    assert "content-length" not in r.request.headers
    assert_problem(r, 413, "body-too-large", "body")
    assert seen == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "a\u0000b"}, "name"),
        ({"name": "ok", "lines": [{"d": "x"}, {"d": "\u0000"}]}, "lines[1].d"),
        ({"name": "ok", "lines": [{"k\u0000": "x"}]}, "lines[0]"),
    ],
)
async def test_nul_in_a_json_string_is_422_naming_the_field(
    guarded: Any, body: dict[str, Any], field: str
) -> None:
    client, seen = guarded
    r = await client.post("/things", content=json.dumps(body).encode())
    assert_problem(r, 422, "nul-character", field)
    assert seen == []


async def test_an_escaped_backslash_before_u0000_is_not_a_nul(guarded: Any) -> None:
    client, seen = guarded
    raw = json.dumps({"name": "a\\u0000"}).encode()
    r = await client.post("/things", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    assert seen[0].name == "a\\u0000"


async def test_json_nested_too_deeply_is_a_4xx_problem_not_a_500() -> None:
    app, seen = make_app(Limits(max_body_bytes=100_000, max_header_bytes=2048))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for inner in (b'"\\u0000"', b'"x"'):  # with a NUL escape (the edge parses it) or not
            raw = b"[" * 20_000 + inner + b"]" * 20_000
            r = await client.post(
                "/things", content=raw, headers={"content-type": "application/json"}
            )
            assert 400 <= r.status_code < 500, r.text
            assert r.headers["content-type"] == "application/problem+json"
    assert seen == []


async def test_a_json_body_sent_as_a_form_is_told_to_send_json(guarded: Any) -> None:
    client, seen = guarded
    for headers in ({"content-type": "application/x-www-form-urlencoded"}, {}):
        r = await client.post("/things", content=b'{"name": "x"}', headers=headers)
        assert_problem(r, 422, "validation", "body")
        assert "Content-Type: application/json" in r.json()["detail"], r.text
    r = await client.post("/things", content=b"[]", headers={"content-type": "application/json"})
    assert_problem(r, 422, "validation", "body")
    assert "Content-Type" not in r.json()["detail"]  # JSON, of the wrong shape
    assert seen == []


async def test_nul_in_a_query_value_or_header_is_422(guarded: Any) -> None:
    client, seen = guarded
    assert_problem(await client.get("/things?q=a%00b"), 422, "nul-character", "q")
    assert_problem(await client.get("/things/a%00b"), 422, "nul-character", "path")
    r = await client.get("/things", headers=[(b"x-note", b"a\x00b")])
    assert_problem(r, 422, "nul-character", "X-Note")
    assert seen == []


async def test_headers_over_the_limit_are_431(guarded: Any) -> None:
    client, seen = guarded
    r = await client.get("/things", headers={"x-note": "n" * 3000})
    assert_problem(r, 431, "headers-too-large", None)
    assert seen == []


def test_nul_field_walks_nested_bodies() -> None:
    assert nul_field({"a": [1, {"b": None}, "c"]}) is None
    assert nul_field({"a": [1, {"b": "\u0000"}]}) == "a[1].b"
    assert nul_field("\u0000") == "body"


async def test_a_client_gone_before_its_body_ends_reaches_no_route(limits: Limits) -> None:
    app, seen = make_app(limits)
    messages = [
        {"type": "http.request", "body": b'{"name": "half', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Any] = []

    async def receive() -> Any:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/things",
        "raw_path": b"/things",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
    }
    await app(scope, receive, send)

    assert seen == []
    assert [m for m in sent if m["type"] == "http.response.start"] == []

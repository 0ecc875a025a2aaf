"""The backend adapters over httpx's MockTransport: the credential on every call, and the
services' answers turned into the console's errors."""

from __future__ import annotations

import json

import httpx
import pytest

from console.adapters.backends.ledger import HttpLedger
from console.adapters.backends.services import HttpCommission, HttpDunning
from console.adapters.web.app import create_app
from console.application.ports import ANONYMOUS, Credential
from console.bootstrap import build
from console.domain.errors import BackendRefused, BackendUnavailable, NotFound
from console.settings import Settings

PROBLEM = {"Content-Type": "application/problem+json"}


def client(handler: httpx.MockTransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=handler, base_url="http://backend")


async def test_the_signed_in_token_goes_to_the_backend_and_the_name_does_not() -> None:
    """The services record the token's subject; a display name is not an identity."""
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"account_id": "A1"})

    ledger = HttpLedger("ledger", "", client=client(httpx.MockTransport(answer)))
    await ledger.account("A1", Credential(name="Mei Ling", token="t0k3n"))
    await ledger.account("A1", ANONYMOUS)
    assert seen[0].headers["authorization"] == "Bearer t0k3n"
    assert "x-actor" not in seen[0].headers
    assert "authorization" not in seen[1].headers
    assert "x-actor" not in seen[1].headers


async def test_a_refusal_keeps_the_backends_rule_field_and_status() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        body = {
            "status": 422,
            "rule": "promise-too-large",
            "detail": "more than owed",
            "field": "amount",
            "title": "x",
            "type": "x",
        }
        return httpx.Response(422, content=json.dumps(body), headers=PROBLEM)

    dunning = HttpDunning("dunning", "", client=client(httpx.MockTransport(answer)))
    with pytest.raises(BackendRefused) as refused:
        await dunning.promise("A1", {"amount": "1.00"}, ANONYMOUS)
    assert (refused.value.status, refused.value.rule, refused.value.field) == (
        422,
        "promise-too-large",
        "amount",
    )
    assert "more than owed" in refused.value.detail


async def test_not_found_unavailable_and_a_server_error() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/missing"):
            return httpx.Response(
                404, json={"detail": "broker missing does not exist", "field": "broker_id"}
            )
        if request.url.path.endswith("/broken"):
            return httpx.Response(500, text="boom")
        raise httpx.ConnectError("connection refused")

    commission = HttpCommission("commission", "", client=client(httpx.MockTransport(answer)))
    with pytest.raises(NotFound) as missing:
        await commission.broker("missing", ANONYMOUS)
    assert missing.value.field == "broker_id"
    with pytest.raises(BackendUnavailable, match="answered 500"):
        await commission.broker("broken", ANONYMOUS)
    with pytest.raises(BackendUnavailable, match="connection refused"):
        await commission.broker("other", ANONYMOUS)
    assert await commission.ready() is False


async def test_search_uses_the_ledgers_account_search_when_it_has_one() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.params["q"] == "harb"
        return httpx.Response(200, json={"accounts": [{"account_id": "A1", "name": "Harbour"}]})

    ledger = HttpLedger("ledger", "", client=client(httpx.MockTransport(answer)))
    assert [a["account_id"] for a in await ledger.search_accounts("harb", ANONYMOUS)] == ["A1"]


async def test_readyz_is_503_naming_the_backend_that_is_down() -> None:
    up = httpx.MockTransport(lambda r: httpx.Response(200, json={"status": "ready"}))
    down = httpx.MockTransport(lambda r: httpx.Response(503, json={"status": "unavailable"}))
    console = build(
        Settings(), ledger_http=client(up), dunning_http=client(down), commission_http=client(up)
    )
    app = create_app(console)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://console"
    ) as c:
        r = await c.get("/readyz")
        page = await c.get("/accounts/A1", headers={"Accept": "text/html"})
    assert r.status_code == 503
    assert r.json()["backends"] == {"ledger": "ok", "dunning": "unavailable", "commission": "ok"}
    assert page.status_code == 502  # the ledger "answered" 200 without an account document


async def test_a_backend_that_is_down_for_a_while_is_passed_on_as_503_with_retry_after() -> None:
    """The ledger's database is restarting: its 503 and Retry-After reach the caller."""
    busy = httpx.MockTransport(
        lambda r: httpx.Response(
            503,
            json={"rule": "database-unavailable"},
            headers={"Retry-After": "2", "Content-Type": "application/problem+json"},
        )
    )
    up = httpx.MockTransport(lambda r: httpx.Response(200, json={"status": "ready"}))
    console = build(
        Settings(), ledger_http=client(busy), dunning_http=client(up), commission_http=client(up)
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(console)), base_url="http://console"
    ) as c:
        r = await c.get("/accounts/A1")
    assert r.status_code == 503, r.text
    assert r.headers["Retry-After"] == "2"
    assert r.json()["rule"] == "backend-unavailable"

"""The single-command routes served ahead of FastAPI (``fast_routes``): valid requests
meet the same authentication, scopes and jurisdictions; anything else gets FastAPI's
answer."""

from __future__ import annotations

import time
from typing import Any

import fastapi.routing
import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Match, Route

from ledger.adapters.http import commands
from ledger.adapters.http.fast_routes import FastAccountRead, FastCommandRoute
from servicekit.auth import ADMIN, BILLING_CLERK, CASH_CLERK, COLLECTOR, POSTER

from .api_support import PROBLEM
from .conftest import ClientAs, invoice, open_account


def _invoice(invoice_id: str) -> dict[str, object]:
    return {
        "invoice_id": invoice_id,
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "lines": [{"description": "Premium", "amount": "10.00"}],
    }


def _count_solving(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times FastAPI solves a route's dependencies from now on: ``[count]``."""
    solved = [0]
    original = fastapi.routing.solve_dependencies

    async def counting(*args: Any, **kwargs: Any) -> Any:
        solved[0] += 1
        return await original(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counting)
    return solved


def test_every_single_command_route_has_a_fast_route_ahead_of_it(app: FastAPI) -> None:
    fast = {r.path for r in app.router.routes if isinstance(r, FastCommandRoute)}
    declared = {r.path for r in commands.router.routes if isinstance(r, APIRoute)}
    assert fast == declared
    first = [r for r in app.router.routes if isinstance(r, FastCommandRoute | APIRoute)]
    assert all(isinstance(r, FastCommandRoute) for r in first[: len(fast)])
    documented = app.openapi()["paths"]
    assert all("post" in documented[p] for p in declared)


async def test_valid_commands_meet_authentication_scopes_and_jurisdictions(
    client: httpx.AsyncClient, anonymous: httpx.AsyncClient, client_as: ClientAs
) -> None:
    suffix = time.time_ns()
    sg, hk = f"FR-SG-{suffix}", f"FR-HK-{suffix}"
    await open_account(client, sg, jurisdiction="SG")
    await open_account(client, hk, jurisdiction="HK")
    path = f"/v1/accounts/{sg}/invoices"

    r = await anonymous.post(path, json=_invoice("I-ANON"))
    assert r.status_code == 401
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.headers["www-authenticate"].startswith('Bearer realm="ledger"')

    for role in (CASH_CLERK, COLLECTOR):  # no ledger:invoices
        r = await client_as(role).post(path, json=_invoice(f"I-{role}"))
        assert r.status_code == 403, (role, r.text)
        assert r.json()["rule"] == "forbidden"
    r = await client_as(POSTER).post(f"/v1/accounts/{sg}/payments", json={})
    assert r.status_code in (403, 422)  # an invalid body: FastAPI's own answer

    hk_only = client_as(BILLING_CLERK, jurisdictions=["HK"])
    r = await hk_only.post(path, json=_invoice("I-HK-ONLY"))
    assert r.status_code == 404, r.text  # another jurisdiction's account does not exist
    r = await hk_only.post(f"/v1/accounts/{hk}/invoices", json=_invoice("I-HK"))
    assert r.status_code == 201, r.text
    r = await hk_only.post("/v1/accounts", json={"account_id": f"FR-X-{suffix}"})
    assert r.status_code == 422  # FastAPI validates what the fast route declines
    body = {
        "account_id": f"FR-SG2-{suffix}",
        "name": "Somebody",
        "currency": "SGD",
        "jurisdiction": "SG",
        "credit_limit": "100.00",
        "payment_terms_days": 30,
        "opened_on": "2026-01-01",
    }
    r = await hk_only.post("/v1/accounts", json=body)
    assert r.status_code == 403, r.text  # may not open accounts in SG

    r = await client_as(POSTER).post(path, json=_invoice("I-POSTER"))
    assert r.status_code == 201, r.text
    again = await client_as(ADMIN).post(path, json=_invoice("I-POSTER"))
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == r.content


async def test_bad_headers_and_bodies_get_fastapis_answers(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "I-1", "10.00")
    path = f"/v1/accounts/{account_id}/invoices"
    r = await client.post(path, json=_invoice("I-2"), headers={"X-Correlation-Id": "nope"})
    assert r.status_code == 422
    assert r.json()["field"] == "X-Correlation-Id"
    r = await client.post(path, json=_invoice("I-3"), headers={"Idempotency-Key": "k" * 129})
    assert r.status_code == 422
    r = await client.post(
        path, content=b'{"invoice_id": NaN}', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    r = await client.post(path, content=b"invoice", headers={"content-type": "text/plain"})
    assert r.status_code == 422
    r = await client.post(f"/v1/accounts/{'x' * 65}/invoices", json=_invoice("I-4"))
    assert r.status_code == 422


async def test_a_valid_command_skips_fastapis_dependency_solving(
    client: httpx.AsyncClient, account_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await open_account(client, account_id)
    solved = _count_solving(monkeypatch)
    path = f"/v1/accounts/{account_id}/invoices"
    r = await client.post(path, json=_invoice("I-FAST"))
    assert r.status_code == 201
    assert solved[0] == 0
    r = await client.post(path, json={**_invoice("I-SLOW"), "lines": []})
    assert r.status_code == 422
    assert solved[0] == 1


def test_the_balance_read_has_a_fast_route_ahead_of_it(app: FastAPI) -> None:
    ahead = [r for r in app.router.routes if isinstance(r, FastAccountRead)]
    assert [r.path for r in ahead] == ["/v1/accounts/{account_id}/balance"]
    routes = [r for r in app.router.routes if isinstance(r, Route)]
    assert routes.index(ahead[0]) < min(i for i, r in enumerate(routes) if isinstance(r, APIRoute))
    get = app.openapi()["paths"]["/v1/accounts/{account_id}/balance"]["get"]
    assert [p["name"] for p in get["parameters"]] == ["account_id", "as_of", "known_at", "x-actor"]


async def test_balance_answers_are_fastapis_answers(
    client: httpx.AsyncClient,
    anonymous: httpx.AsyncClient,
    client_as: ClientAs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every answer, valid or not, is byte for byte what the FastAPI route answers, and a
    valid read skips FastAPI's dependency solving."""
    suffix = time.time_ns()
    sg, hk = f"FB-SG-{suffix}", f"FB-HK-{suffix}"
    await open_account(client, sg, jurisdiction="SG")
    await open_account(client, hk, jurisdiction="HK")
    await invoice(client, sg, "I-1", "10.00")
    hk_only = client_as(BILLING_CLERK, jurisdictions=["HK"])
    nobody = client_as("no-such-role")
    base = f"/v1/accounts/{sg}/balance"
    asks: list[tuple[httpx.AsyncClient, str, str]] = [
        (client, "GET", base),
        (client, "GET", f"{base}?as_of=2026-01-15"),
        (client, "GET", f"{base}?as_of=2026-03-01&known_at=2026-06-01T00:00:00Z"),
        (client, "GET", f"{base}?known_at=2020-01-01T00:00:00"),
        (client_as(COLLECTOR), "GET", base),
        (hk_only, "GET", f"/v1/accounts/{hk}/balance"),
        (anonymous, "GET", base),  # 401
        (nobody, "GET", base),  # 403
        (hk_only, "GET", base),  # 404: another jurisdiction's
        (client, "GET", f"/v1/accounts/NOPE-{suffix}/balance"),  # 404
        (client, "GET", f"{base}?as_of=2026-02-30"),  # 422
        (client, "GET", f"{base}?as_of="),
        (client, "GET", f"{base}?known_at=yesterday"),
        (client, "GET", f"{base}?as_of=2026-01-15&as_of=2026-01-16"),
        (client, "GET", f"{base}?other=1"),
        (client, "GET", f"/v1/accounts/{'x' * 65}/balance"),  # 422
        (anonymous, "GET", f"{base}?as_of=nope"),  # 401 before 422, as FastAPI orders them
        (client, "HEAD", base),
        (client, "POST", base),
    ]
    fast = [await c.request(method, url) for c, method, url in asks]
    solved = _count_solving(monkeypatch)
    r = await client.get(base)
    assert r.status_code == 200
    assert solved[0] == 0
    monkeypatch.setattr(FastAccountRead, "matches", lambda self, scope: (Match.NONE, {}))
    slow = [await c.request(method, url) for c, method, url in asks]
    assert solved[0] >= 1
    statuses = [r.status_code for r in fast]
    assert statuses[:6] == [200] * 6
    assert statuses[6:11] == [401, 403, 404, 404, 422]
    for (_, method, url), a, b in zip(asks, fast, slow, strict=True):
        assert (a.status_code, a.content) == (b.status_code, b.content), (method, url)
        assert a.headers.get("content-type") == b.headers.get("content-type"), (method, url)
        assert a.headers.get("www-authenticate") == b.headers.get("www-authenticate")

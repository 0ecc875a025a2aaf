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

from ledger.adapters.http import commands
from ledger.adapters.http.fast_routes import FastCommandRoute
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
    solved = 0
    original = fastapi.routing.solve_dependencies

    async def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal solved
        solved += 1
        return await original(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counting)
    path = f"/v1/accounts/{account_id}/invoices"
    r = await client.post(path, json=_invoice("I-FAST"))
    assert r.status_code == 201
    assert solved == 0
    r = await client.post(path, json={**_invoice("I-SLOW"), "lines": []})
    assert r.status_code == 422
    assert solved == 1

"""The ledger's edge (servicekit): NUL characters and oversized bodies are refused as
problems before any route runs, and nothing is written."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from ledger.adapters.http.app import create_app
from ledger.bootstrap import Ledger
from servicekit.auth import ADMIN

from .api_support import assert_problem, unchanged
from .conftest import IDENTITY, invoice, open_account


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("", {"account_id": "{a}-X", "name": "A\u0000B"}, "name"),
        (
            "/{a}/invoices",
            {"invoice_id": "I-9", "lines": [{"description": "P\u0000", "amount": "1.00"}]},
            "lines[0].description",
        ),
        (
            "/{a}/payments",
            {"payment_id": "P-9", "amount": "1.00", "method": "card", "reference": "\u0000"},
            "reference",
        ),
        ("/{a}/invoices/INV-1/dispute", {"reason": "x\u0000"}, "reason"),
    ],
)
async def test_nul_in_any_text_field_is_a_422_naming_it(
    client: httpx.AsyncClient, account_id: str, path: str, body: dict[str, object], field: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "10.00")
    full = {
        "currency": "SGD",
        "jurisdiction": "SG",
        "credit_limit": "1.00",
        "payment_terms_days": 30,
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "received_on": "2026-01-02",
        **{k: v.replace("{a}", account_id) if isinstance(v, str) else v for k, v in body.items()},
    }
    async with unchanged(client, account_id):
        r = await client.post(f"/v1/accounts{path.replace('{a}', account_id)}", json=full)
        assert_problem(r, 422, field=field, rule="nul-character")


async def test_nul_in_a_query_value_or_header_is_a_422(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    r = await client.get(f"/v1/accounts/{account_id}/invoices", params={"status": "open\x00"})
    assert_problem(r, 422, field="status", rule="nul-character")
    r = await client.get("/v1/accounts", params={"name": "\x00"})
    assert_problem(r, 422, field="name", rule="nul-character")
    async with unchanged(client, account_id):
        r = await client.post(
            f"/v1/accounts/{account_id}/invoices/INV-1/dispute",
            json={"reason": "r"},
            headers=[(b"x-actor", b"a\x00")],
        )
        assert_problem(r, 422, field="X-Actor", rule="nul-character")


async def test_a_body_over_the_configured_limit_is_a_413(ledger: Ledger, account_id: str) -> None:
    settings = ledger.settings.model_copy(update={"max_body_bytes": 2048})
    shared_metrics = ledger.commands.watch  # a second app over the shared ledger takes them
    app = create_app(ledger, settings)
    try:
        await _over_the_limit(app, account_id)
    finally:
        ledger.commands.watch = shared_metrics


async def _over_the_limit(app: FastAPI, account_id: str) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://ledger",
        headers=IDENTITY.headers(ADMIN),
    ) as client:
        await open_account(client, account_id)
        lines = [{"description": "Premium " + "x" * 60, "amount": "1.00"} for _ in range(40)]
        body = {
            "invoice_id": "BIG",
            "issue_date": "2026-01-01",
            "due_date": "2026-01-31",
            "lines": lines,
        }
        async with unchanged(client, account_id):
            r = await client.post(f"/v1/accounts/{account_id}/invoices", json=body)
            assert_problem(r, 413, field="body", rule="body-too-large")
        body["lines"] = lines[:5]
        assert (await client.post(f"/v1/accounts/{account_id}/invoices", json=body)).is_success


BIG = "99999999999999999999"  # past int64


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/events", {"after": BIG}, "after"),
        ("/v1/accounts/{a}/events", {"after_version": BIG}, "after_version"),
        ("/v1/accounts/{a}/journal", {"after": BIG}, "after"),
        ("/v1/accounts/{a}/invoices", {"offset": BIG}, "offset"),
        ("/v1/accounts/{a}/statement", {"from": "0001-01-01"}, "from"),
        ("/v1/accounts/{a}/statement", {"from": "2026-01-01", "to": "9999-12-31"}, "to"),
        ("/v1/accounts/{a}/balance", {"as_of": "0001-01-01"}, "as_of"),
        ("/v1/accounts/{a}/balance", {"known_at": "9999-12-31T23:59:59-14:00"}, "known_at"),
        ("/v1/accounts/{a}/balance", {"known_at": "0001-01-01T00:00:00+14:00"}, "known_at"),
        ("/v1/reports/aging", {"as_of": "9999-12-31"}, "as_of"),
    ],
)
async def test_out_of_range_numbers_and_dates_in_queries_are_422(
    client: httpx.AsyncClient, account_id: str, path: str, params: dict[str, str], field: str
) -> None:
    await open_account(client, account_id)
    r = await client.get(path.replace("{a}", account_id), params=params)
    assert_problem(r, 422, field=field, rule="validation")


async def test_the_edges_of_the_range_are_answered(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    base = f"/v1/accounts/{account_id}"
    for path, params in [
        (f"{base}/statement", {"from": "1900-01-01", "to": "2199-12-31"}),
        (f"{base}/balance", {"as_of": "2199-12-31", "known_at": "2199-12-31T23:59:59+00:00"}),
        (f"{base}/balance", {"as_of": "1900-01-01", "known_at": "1900-01-01T10:00:00+09:00"}),
        ("/v1/events", {"after": str(2**63 - 1)}),
    ]:
        r = await client.get(path, params=params)
        assert r.status_code == 200, (path, params, r.text)

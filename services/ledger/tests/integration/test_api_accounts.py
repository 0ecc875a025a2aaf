"""HTTP contract: opening and reading accounts; validation of the account itself."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .api_support import assert_problem, get, post, unchanged
from .conftest import open_account


def _body(account_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "name": "Acme Pte Ltd",
        "currency": "SGD",
        "jurisdiction": "SG",
        "credit_limit": "5000.00",
        "payment_terms_days": 30,
        "opened_on": "2026-01-01",
        **extra,
    }


ZERO_SUMMARY = {
    "invoiced": "0.00",
    "paid": "0.00",
    "credited": "0.00",
    "written_off": "0.00",
    "refunded": "0.00",
    "open": "0.00",
    "unapplied": "0.00",
    "balance": "0.00",
    "credit_available": "5000.00",
}


async def test_open_account_returns_the_account(client: httpx.AsyncClient, account_id: str) -> None:
    body = await post(client, "/v1/accounts", _body(account_id, broker_id="BRK-7"))

    assert body["account_id"] == account_id
    assert body["name"] == "Acme Pte Ltd"
    assert body["currency"] == "SGD"
    assert body["jurisdiction"] == "SG"
    assert body["credit_limit"] == "5000.00"
    assert body["payment_terms_days"] == 30
    assert body["broker_id"] == "BRK-7"
    assert body["status"] == "active"
    assert body["opened_on"] == "2026-01-01"
    assert body["version"] == 1
    assert body["summary"] == ZERO_SUMMARY
    assert [e["type"] for e in body["events"]] == ["AccountOpened"]


async def test_get_account_matches_what_was_opened(
    client: httpx.AsyncClient, account_id: str
) -> None:
    opened = await post(client, "/v1/accounts", _body(account_id))
    got = await get(client, f"/v1/accounts/{account_id}")
    assert got == {k: v for k, v in opened.items() if k != "events"}


@pytest.mark.parametrize(
    ("currency", "limit", "shown"),
    [("JPY", "1000000", "1000000"), ("BHD", "12.345", "12.345"), ("SGD", "7", "7.00")],
)
async def test_amounts_use_the_currency_minor_unit(
    client: httpx.AsyncClient, account_id: str, currency: str, limit: str, shown: str
) -> None:
    body = await post(
        client, "/v1/accounts", _body(account_id, currency=currency, credit_limit=limit)
    )
    assert body["credit_limit"] == shown
    assert body["summary"]["balance"] == (
        "0" if currency == "JPY" else "0.000" if currency == "BHD" else "0.00"
    )


async def test_missing_account_is_404(client: httpx.AsyncClient, account_id: str) -> None:
    for path in ("", "/invoices", "/balance", "/events"):
        r = await client.get(f"/v1/accounts/{account_id}{path}")
        assert_problem(r, 404, rule="account-not-found", field="account_id")


async def test_opening_a_taken_id_with_another_body_is_409(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    async with unchanged(client, account_id):
        r = await client.post("/v1/accounts", json=_body(account_id, name="Someone else"))
        assert_problem(r, 409, rule="idempotency-conflict", field="account_id")


async def test_opening_again_with_the_same_body_replays(
    client: httpx.AsyncClient, account_id: str
) -> None:
    first = await client.post("/v1/accounts", json=_body(account_id))
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    async with unchanged(client, account_id):
        again = await client.post("/v1/accounts", json=_body(account_id))
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"currency": "XYZ"}, "currency", "unknown-currency"),
        ({"currency": "XXX"}, "currency", "unknown-currency"),  # ISO code, but no money
        ({"currency": "sgd"}, "currency", "validation"),
        ({"credit_limit": 5000}, "credit_limit", "validation"),  # a JSON number
        ({"credit_limit": "5000.001"}, "credit_limit", "invalid-amount"),
        ({"credit_limit": "-1.00"}, "credit_limit", "invalid-amount"),
        ({"credit_limit": "1e3"}, "credit_limit", "validation"),
        ({"payment_terms_days": -1}, "payment_terms_days", "validation"),
        ({"account_id": "has space"}, "account_id", "validation"),
        ({"name": ""}, "name", "validation"),
        ({"jurisdiction": "sg"}, "jurisdiction", "validation"),  # SG's users would not see it
        ({"jurisdiction": "  "}, "jurisdiction", "validation"),
        ({"surprise": 1}, "surprise", "validation"),
        ({"opened_on": "2026-02-30"}, "opened_on", "validation"),
    ],
)
async def test_bad_account_is_refused_and_not_opened(
    client: httpx.AsyncClient, account_id: str, change: dict[str, Any], field: str, rule: str
) -> None:
    body = {**_body(account_id), **change}
    async with unchanged(client, body["account_id"]):
        r = await client.post("/v1/accounts", json=body)
        assert_problem(r, 422, field=field, rule=rule)


async def test_missing_required_field_is_named(client: httpx.AsyncClient, account_id: str) -> None:
    body = _body(account_id)
    del body["currency"]
    async with unchanged(client, account_id):
        problem = assert_problem(
            await client.post("/v1/accounts", json=body), 422, field="currency", rule="validation"
        )
    assert problem["errors"][0]["type"] == "missing"


async def test_malformed_json_is_a_problem(client: httpx.AsyncClient, account_id: str) -> None:
    async with unchanged(client, account_id):
        r = await client.post(
            "/v1/accounts", content=b'{"account_id": ', headers={"content-type": "application/json"}
        )
        problem = assert_problem(r, 422, field="body", rule="validation")
        assert problem["detail"].startswith("body: not valid JSON (at character 15)"), problem

"""HTTP contract: issuing invoices, listing them by status, and refusing bad invoices."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .api_support import assert_problem, get, invoices, pay, post, unchanged
from .conftest import invoice, open_account


def _invoice(invoice_id: str = "INV-1", **extra: Any) -> dict[str, Any]:
    return {
        "invoice_id": invoice_id,
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "lines": [
            {
                "description": "Group life premium",
                "amount": "1000.00",
                "product": "GL",
                "policy_id": "POL-1",
                "policy_year": 1,
            },
            {"description": "Rider", "amount": "250.55"},
        ],
        **extra,
    }


async def test_issue_invoice_sums_its_lines(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    body = await post(client, f"/v1/accounts/{account_id}/invoices", _invoice())

    assert body["invoice_id"] == "INV-1"
    assert body["kind"] == "invoice"
    assert body["issue_date"] == "2026-01-01"
    assert body["due_date"] == "2026-01-31"
    assert body["currency"] == "SGD"
    assert body["amount"] == "1250.55"
    assert body["open_amount"] == "1250.55"
    assert body["paid"] == "0.00"
    assert body["status"] == "open"
    assert body["disputed"] is False
    assert body["version"] == 2
    assert [e["type"] for e in body["events"]] == ["InvoiceIssued"]

    account = await get(client, f"/v1/accounts/{account_id}")
    assert account["summary"]["invoiced"] == "1250.55"
    assert account["summary"]["open"] == "1250.55"
    assert account["summary"]["balance"] == "1250.55"
    assert account["summary"]["credit_available"] == "8749.45"


async def test_invoice_lines_are_kept_in_the_event(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await post(client, f"/v1/accounts/{account_id}/invoices", _invoice(broker_id="BRK-1"))
    history = await get(client, f"/v1/accounts/{account_id}/events")
    issued = history["events"][-1]
    assert issued["type"] == "InvoiceIssued"
    data = issued["data"]
    assert data["total"] == "1250.55"
    assert [(line["line_no"], line["amount"], line["policy_id"]) for line in data["lines"]] == [
        (1, "1000.00", "POL-1"),
        (2, "250.55", None),
    ]
    assert data["lines"][0]["product"] == "GL"
    assert data["lines"][0]["policy_year"] == 1
    assert data["broker_id"] == "BRK-1"


async def test_jpy_invoice_has_no_decimals(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id, currency="JPY")
    body = await invoice(client, account_id, "INV-1", "150000")
    assert body["amount"] == "150000"
    assert body["open_amount"] == "150000"


async def test_list_invoices_by_status(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-PAID", "100.00", due="2026-01-15")
    await invoice(client, account_id, "INV-PART", "200.00", due="2026-01-20")
    await invoice(client, account_id, "INV-OPEN", "300.00", due="2026-01-25")
    await pay(client, account_id, "PAY-1", "150.00")  # oldest due first: 100 + 50

    open_ = await get(client, f"/v1/accounts/{account_id}/invoices", status="open")
    assert open_["status"] == "open"
    assert [(i["invoice_id"], i["open_amount"], i["status"]) for i in open_["invoices"]] == [
        ("INV-PART", "150.00", "open"),
        ("INV-OPEN", "300.00", "open"),
    ]
    paid = await get(client, f"/v1/accounts/{account_id}/invoices", status="paid")
    assert [(i["invoice_id"], i["paid"], i["open_amount"]) for i in paid["invoices"]] == [
        ("INV-PAID", "100.00", "0.00")
    ]
    every = await get(client, f"/v1/accounts/{account_id}/invoices", status="all")
    assert [i["invoice_id"] for i in every["invoices"]] == ["INV-PAID", "INV-PART", "INV-OPEN"]
    default = await get(client, f"/v1/accounts/{account_id}/invoices")
    assert default["invoices"] == open_["invoices"]


async def test_unknown_status_filter_is_422(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    r = await client.get(f"/v1/accounts/{account_id}/invoices", params={"status": "closed"})
    assert_problem(r, 422, field="status", rule="validation")


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"due_date": "2025-12-31"}, "due_date", "invalid-dates"),
        ({"lines": []}, "lines", "validation"),
        ({"lines": [{"description": "x", "amount": 10}]}, "lines[0].amount", "validation"),
        ({"lines": [{"description": "x", "amount": 10.5}]}, "lines[0].amount", "validation"),
        (
            {"lines": [{"description": "x", "amount": "10.001"}]},
            "lines[0].amount",
            "invalid-amount",
        ),
        ({"lines": [{"description": "x", "amount": "0.00"}]}, "lines[0].amount", "invalid-amount"),
        ({"lines": [{"description": "x", "amount": "-5.00"}]}, "lines[0].amount", "invalid-amount"),
        (
            {
                "lines": [
                    {"description": "a", "amount": "1.00"},
                    {"description": "b", "amount": "x"},
                ]
            },
            "lines[1].amount",
            "validation",
        ),
        ({"lines": [{"description": "", "amount": "1.00"}]}, "lines[0].description", "validation"),
        ({"issue_date": "01/01/2026"}, "issue_date", "validation"),
        ({"invoice_id": ""}, "invoice_id", "validation"),
        ({"currency": "SGD"}, "currency", "validation"),  # not a field of an invoice
    ],
)
async def test_bad_invoice_is_refused_and_writes_nothing(
    client: httpx.AsyncClient, account_id: str, change: dict[str, Any], field: str, rule: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-0", "10.00")
    async with unchanged(client, account_id):
        r = await client.post(f"/v1/accounts/{account_id}/invoices", json=_invoice(**change))
        assert_problem(r, 422, field=field, rule=rule)


@pytest.mark.parametrize("amount", ["10.5", "0.1", "100.001"])
async def test_jpy_refuses_any_decimal_places(
    client: httpx.AsyncClient, account_id: str, amount: str
) -> None:
    await open_account(client, account_id, currency="JPY")
    body = {
        "invoice_id": "INV-1",
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "lines": [{"description": "Premium", "amount": amount}],
    }
    async with unchanged(client, account_id):
        r = await client.post(f"/v1/accounts/{account_id}/invoices", json=body)
        problem = assert_problem(r, 422, field="lines[0].amount", rule="invalid-amount")
    assert "JPY" in problem["detail"]


async def test_invoice_on_missing_account_is_404(
    client: httpx.AsyncClient, account_id: str
) -> None:
    async with unchanged(client, account_id):
        r = await client.post(f"/v1/accounts/{account_id}/invoices", json=_invoice())
        assert_problem(r, 404, field="account_id", rule="account-not-found")


async def test_reusing_an_invoice_id_for_another_invoice_is_409(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await post(client, f"/v1/accounts/{account_id}/invoices", _invoice())
    async with unchanged(client, account_id):
        r = await client.post(
            f"/v1/accounts/{account_id}/invoices", json=_invoice(due_date="2026-02-28")
        )
        assert_problem(r, 409, field="invoice_id", rule="idempotency-conflict")
    assert (await invoices(client, account_id))["INV-1"]["due_date"] == "2026-01-31"

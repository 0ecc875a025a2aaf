"""HTTP contract: payments, allocation, unapplied credit (apply, refund) and reversals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .api_support import (
    assert_problem,
    balance,
    get,
    invoices,
    pay,
    pay_body,
    post,
    unchanged,
)
from .conftest import invoice, open_account


async def test_partial_payment_leaves_the_invoice_open(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "1250.00")
    body = await pay(client, account_id, "PAY-1", "1000.00", reference="TT-778")

    assert body["payment_id"] == "PAY-1"
    assert body["currency"] == "SGD"
    assert body["amount"] == "1000.00"
    assert body["received_on"] == "2026-01-10"
    assert body["method"] == "bank_transfer"
    assert body["reference"] == "TT-778"
    assert body["allocations"] == [{"invoice_id": "INV-1", "amount": "1000.00"}]
    assert body["unapplied"] == "0.00"
    assert body["account_unapplied"] == "0.00"
    assert body["reversed"] is False
    assert [e["type"] for e in body["events"]] == ["PaymentReceived", "PaymentAllocated"]

    inv = (await invoices(client, account_id))["INV-1"]
    assert (inv["paid"], inv["open_amount"], inv["status"]) == ("1000.00", "250.00", "open")
    assert (await balance(client, account_id, as_of="2026-01-10"))["balance"] == "250.00"


async def test_payment_goes_to_the_oldest_due_invoice_first(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-LATE", "300.00", due="2026-02-28")
    await invoice(client, account_id, "INV-EARLY", "200.00", due="2026-01-31")
    body = await pay(client, account_id, "PAY-1", "350.00")

    assert body["allocations"] == [
        {"invoice_id": "INV-EARLY", "amount": "200.00"},
        {"invoice_id": "INV-LATE", "amount": "150.00"},
    ]
    items = await invoices(client, account_id)
    assert items["INV-EARLY"]["status"] == "paid"
    assert items["INV-LATE"]["open_amount"] == "150.00"


async def test_payment_allocated_to_named_invoices(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00", due="2026-01-15")
    await invoice(client, account_id, "INV-2", "400.00", due="2026-02-15")
    body = await pay(
        client,
        account_id,
        "PAY-1",
        "300.00",
        allocations=[{"invoice_id": "INV-2", "amount": "250.00"}, {"invoice_id": "INV-1"}],
    )
    # the second allocation names no amount: as much as is open, up to what is left
    assert body["allocations"] == [
        {"invoice_id": "INV-2", "amount": "250.00"},
        {"invoice_id": "INV-1", "amount": "50.00"},
    ]
    assert body["unapplied"] == "0.00"


async def test_over_payment_becomes_credit_applied_later_and_refunded(
    client: httpx.AsyncClient, account_id: str
) -> None:
    base = f"/v1/accounts/{account_id}"
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    paid = await pay(client, account_id, "PAY-1", "150.00")
    assert paid["allocations"] == [{"invoice_id": "INV-1", "amount": "100.00"}]
    assert paid["unapplied"] == "50.00"
    assert paid["account_unapplied"] == "50.00"
    assert (await invoices(client, account_id))["INV-1"]["status"] == "paid"
    b = await balance(client, account_id, as_of="2026-01-10")
    assert (b["balance"], b["open"], b["unapplied"]) == ("-50.00", "0.00", "50.00")

    # a later invoice is not paid by the credit by itself ...
    await invoice(client, account_id, "INV-2", "80.00", issue="2026-02-01", due="2026-03-01")
    assert (await invoices(client, account_id))["INV-2"]["open_amount"] == "80.00"
    # ... until the credit is applied to it
    applied = await post(
        client,
        f"{base}/unapplied/apply",
        {
            "invoice_id": "INV-2",
            "amount": "30.00",
            "application_id": "APP-1",
            "applied_on": "2026-02-02",
        },
    )
    assert applied["applied"] == [{"payment_id": "PAY-1", "amount": "30.00"}]
    assert applied["invoice"]["open_amount"] == "50.00"
    assert applied["account_unapplied"] == "20.00"

    refunded = await post(
        client,
        f"{base}/refunds",
        {
            "refund_id": "REF-1",
            "amount": "20.00",
            "reason": "customer asked",
            "refunded_on": "2026-02-03",
        },
    )
    assert refunded["amount"] == "20.00"
    assert refunded["sources"] == [{"payment_id": "PAY-1", "invoice_id": None, "amount": "20.00"}]
    assert refunded["account_unapplied"] == "0.00"

    b = await balance(client, account_id, as_of="2026-02-03")
    assert (b["balance"], b["open"], b["unapplied"]) == ("50.00", "50.00", "0.00")
    summary = (await get(client, base))["summary"]
    assert summary["paid"] == "130.00"  # 150 received less 20 refunded
    assert summary["refunded"] == "20.00"
    assert summary["balance"] == "50.00"


async def test_refund_above_the_unapplied_credit_is_refused(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    await pay(client, account_id, "PAY-1", "120.00")
    async with unchanged(client, account_id):
        r = await client.post(
            f"/v1/accounts/{account_id}/refunds",
            json={"refund_id": "REF-1", "amount": "20.01", "reason": "x"},
        )
        problem = assert_problem(r, 422, field="amount", rule="insufficient-credit")
    assert "20.00" in problem["detail"]


async def test_applying_more_credit_than_there_is_is_refused(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    await pay(client, account_id, "PAY-1", "110.00")
    await invoice(client, account_id, "INV-2", "100.00")
    async with unchanged(client, account_id):
        r = await client.post(
            f"/v1/accounts/{account_id}/unapplied/apply",
            json={"invoice_id": "INV-2", "amount": "10.01", "application_id": "APP-1"},
        )
        assert_problem(r, 422, field="amount", rule="insufficient-credit")


async def test_applying_credit_above_the_open_amount_is_refused(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await pay(client, account_id, "PAY-1", "500.00")
    await invoice(client, account_id, "INV-1", "100.00")
    async with unchanged(client, account_id):
        r = await client.post(
            f"/v1/accounts/{account_id}/unapplied/apply",
            json={"invoice_id": "INV-1", "amount": "100.01", "application_id": "APP-1"},
        )
        assert_problem(r, 422, field="amount", rule="over-allocation")


async def test_applying_credit_needs_an_id_or_idempotency_key(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await pay(client, account_id, "PAY-1", "500.00")
    await invoice(client, account_id, "INV-1", "100.00")
    body = {"invoice_id": "INV-1", "amount": "40.00"}
    async with unchanged(client, account_id):
        r = await client.post(f"/v1/accounts/{account_id}/unapplied/apply", json=body)
        assert_problem(r, 422, field="Idempotency-Key")
    r = await client.post(
        f"/v1/accounts/{account_id}/unapplied/apply",
        json=body,
        headers={"Idempotency-Key": "apply-1"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["account_unapplied"] == "460.00"


async def test_payment_reversal_reopens_the_invoices(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00", due="2026-01-20")
    await invoice(client, account_id, "INV-2", "200.00", due="2026-01-31")
    await pay(client, account_id, "PAY-1", "250.00")
    items = await invoices(client, account_id)
    assert (items["INV-1"]["status"], items["INV-2"]["open_amount"]) == ("paid", "50.00")

    body = await post(
        client,
        f"/v1/accounts/{account_id}/payments/PAY-1/reversal",
        {"reason": "cheque bounced", "reversed_on": "2026-01-15"},
    )
    assert body["reversed"] is True
    assert body["reason"] == "cheque bounced"
    assert body["allocations"] == []
    assert body["unapplied"] == "0.00"
    assert sorted(body["released"], key=lambda s: s["invoice_id"]) == [
        {"payment_id": "PAY-1", "invoice_id": "INV-1", "amount": "100.00"},
        {"payment_id": "PAY-1", "invoice_id": "INV-2", "amount": "150.00"},
    ]
    assert [e["type"] for e in body["events"]] == ["PaymentReversed"]

    items = await invoices(client, account_id, status="open")
    assert {i: (v["open_amount"], v["paid"], v["status"]) for i, v in items.items()} == {
        "INV-1": ("100.00", "0.00", "open"),
        "INV-2": ("200.00", "0.00", "open"),
    }
    b = await balance(client, account_id, as_of="2026-01-15")
    assert (b["balance"], b["unapplied"]) == ("300.00", "0.00")
    # before the reversal's date the payment still counts
    assert (await balance(client, account_id, as_of="2026-01-12"))["balance"] == "50.00"

    async with unchanged(client, account_id):
        r = await client.post(
            f"/v1/accounts/{account_id}/payments/PAY-1/reversal",
            json={"reason": "again", "reversed_on": "2026-01-16"},
        )
        assert r.status_code == 409  # same payment id, another body


async def test_reversing_an_over_payment_removes_its_credit(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    await pay(client, account_id, "PAY-1", "160.00")
    await post(
        client,
        f"/v1/accounts/{account_id}/payments/PAY-1/reversal",
        {"reason": "chargeback", "reversed_on": "2026-01-20"},
    )
    b = await balance(client, account_id, as_of="2026-01-20")
    assert (b["balance"], b["open"], b["unapplied"]) == ("100.00", "100.00", "0.00")
    summary = (await get(client, f"/v1/accounts/{account_id}"))["summary"]
    assert (summary["paid"], summary["unapplied"]) == ("0.00", "0.00")


async def test_reversing_an_unknown_payment_is_refused(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    async with unchanged(client, account_id):
        r = await client.post(
            f"/v1/accounts/{account_id}/payments/NOPE/reversal", json={"reason": "x"}
        )
        assert_problem(r, 422, field="payment_id", rule="unknown-payment")


async def test_a_refunded_payment_cannot_be_reversed(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await pay(client, account_id, "PAY-1", "100.00")
    await post(
        client,
        f"/v1/accounts/{account_id}/refunds",
        {"refund_id": "REF-1", "amount": "10.00", "reason": "x"},
    )
    async with unchanged(client, account_id):
        r = await client.post(
            f"/v1/accounts/{account_id}/payments/PAY-1/reversal", json={"reason": "bounced"}
        )
        assert_problem(r, 422, field="payment_id", rule="payment-refunded")


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"amount": 100}, "amount", "validation"),
        ({"amount": 100.0}, "amount", "validation"),
        ({"amount": "100.001"}, "amount", "invalid-amount"),
        ({"amount": "0"}, "amount", "invalid-amount"),
        ({"amount": "-10.00"}, "amount", "invalid-amount"),
        ({"amount": "NaN"}, "amount", "validation"),
        ({"amount": " 10.00"}, "amount", "validation"),
        ({"received_on": None}, "received_on", "validation"),
        ({"method": ""}, "method", "validation"),
        ({"method": "   "}, "method", "validation"),
        (
            {"allocations": [{"invoice_id": "INV-1", "amount": "100.01"}]},
            "allocations[0].amount",
            "over-allocation",
        ),
        (
            {
                "allocations": [
                    {"invoice_id": "INV-1", "amount": "60.00"},
                    {"invoice_id": "INV-2", "amount": "50.00"},
                ]
            },
            "allocations[1].amount",
            "over-allocation",
        ),  # 110 of a 100 payment
        (
            {"allocations": [{"invoice_id": "INV-9", "amount": "1.00"}]},
            "allocations[0].invoice_id",
            "unknown-invoice",
        ),
        (
            {"allocations": [{"invoice_id": "INV-1", "amount": 5}]},
            "allocations[0].amount",
            "validation",
        ),
        (
            {"allocations": [{"invoice_id": "INV-1", "amount": "-5.00"}]},
            "allocations[0].amount",
            "invalid-amount",
        ),
        (
            {"allocations": [{"invoice_id": "INV-1"}, {"invoice_id": "INV-1"}]},
            "allocations[1].invoice_id",
            "over-allocation",
        ),
    ],
)
async def test_bad_payment_is_refused_and_writes_nothing(
    client: httpx.AsyncClient, account_id: str, change: dict[str, Any], field: str, rule: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    await invoice(client, account_id, "INV-2", "100.00")
    body = {**pay_body("PAY-1", "100.00"), **change}
    async with unchanged(client, account_id):
        r = await client.post(f"/v1/accounts/{account_id}/payments", json=body)
        assert_problem(r, 422, field=field, rule=rule)


async def test_payment_on_missing_account_is_404(
    client: httpx.AsyncClient, account_id: str
) -> None:
    async with unchanged(client, account_id):
        r = await client.post(f"/v1/accounts/{account_id}/payments", json=pay_body("PAY-1", "1.00"))
        assert_problem(r, 404, field="account_id", rule="account-not-found")

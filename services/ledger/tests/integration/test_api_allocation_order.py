"""HTTP contract: the allocation order of a payment naming no invoices."""

from __future__ import annotations

import httpx

from .api_support import assert_problem, get, pay, pay_body, post
from .conftest import invoice, open_account


async def test_fees_first_and_by_policy_over_http(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00", due="2026-01-31")
    await invoice(client, account_id, "INV-2", "50.00", due="2026-02-28", policy_id="GL-5")
    await post(
        client,
        f"/v1/accounts/{account_id}/adjustments",
        {
            "adjustment_id": "FEE-1",
            "amount": "20.00",
            "reason": "late fee",
            "effective_on": "2026-02-05",
        },
    )

    fees = await pay(
        client, account_id, "PAY-1", "30.00", on="2026-02-10", allocation_order="fees_first"
    )
    by_policy = await pay(
        client,
        account_id,
        "PAY-2",
        "60.00",
        on="2026-02-11",
        allocation_order="by_policy",
        policy_id="GL-5",
    )

    assert fees["allocations"] == [
        {"invoice_id": "FEE-1", "amount": "20.00"},
        {"invoice_id": "INV-1", "amount": "10.00"},
    ]
    assert by_policy["allocations"] == [
        {"invoice_id": "INV-2", "amount": "50.00"},
        {"invoice_id": "INV-1", "amount": "10.00"},
    ]
    history = await get(client, f"/v1/accounts/{account_id}/events")
    received = [e for e in history["events"] if e["type"] == "PaymentReceived"]
    assert [e["schema_version"] for e in received] == [2, 2]
    assert [e["data"]["allocation_order"] for e in received] == ["fees_first", "by_policy"]
    assert received[1]["data"]["policy_id"] == "GL-5"


async def test_an_order_with_named_allocations_is_refused(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    payments = f"/v1/accounts/{account_id}/payments"
    named = pay_body(
        "PAY-1", "10.00", allocation_order="fees_first", allocations=[{"invoice_id": "INV-1"}]
    )
    r = await client.post(payments, json=named)
    assert_problem(r, 422, field="allocation_order", rule="rule-violation")
    r = await client.post(payments, json=pay_body("PAY-1", "10.00", allocation_order="by_policy"))
    assert_problem(r, 422, field="policy_id", rule="rule-violation")

"""HTTP contract of suspense: a receipt held, then moved to its customer or refunded."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from .api_support import assert_problem, get, pay, post
from .conftest import invoice, open_account


def _suspense(trial: dict[str, Any], currency: str = "SGD") -> str:
    [row] = [c for c in trial["currencies"] if c["currency"] == currency]
    return str(row["accounts"].get("1900-suspense", "0.00"))


async def _holding_and_customer(client: httpx.AsyncClient, account_id: str) -> tuple[str, str]:
    """A holding account and a customer account, opened."""
    holding, customer = f"{account_id}-S", f"{account_id}-C"
    await open_account(client, holding)
    await open_account(client, customer)
    return holding, customer


async def test_suspense_round_trip_keeps_the_trail_and_the_books_balanced(
    client: httpx.AsyncClient, account_id: str
) -> None:
    holding, customer = await _holding_and_customer(client, account_id)
    await invoice(client, customer, "INV-1", "150.00")
    before = _suspense(await get(client, "/v1/reports/trial-balance", as_of="2026-03-01"))

    held = await post(
        client,
        f"/v1/accounts/{holding}/suspense",
        {
            "payment_id": "RCPT-1",
            "amount": "200.00",
            "received_on": "2026-01-10",
            "method": "bank_transfer",
            "reference": "E2E-1",
            "payer": "J DOE",
        },
    )
    assert held["held"] == "200.00"
    assert [e["type"] for e in held["events"]] == ["ReceiptSuspended"]
    trial = await get(client, "/v1/reports/trial-balance", as_of="2026-03-01")
    assert Decimal(_suspense(trial)) - Decimal(before) == Decimal("-200.00")

    await pay(client, customer, "PAY-7", "150.00", on="2026-01-12")
    cleared = await post(
        client,
        f"/v1/accounts/{holding}/suspense/RCPT-1/clearances",
        {
            "clearance_id": "CL-1",
            "amount": "150.00",
            "reason": "remittance advice",
            "cleared_on": "2026-01-12",
            "to_account_id": customer,
            "to_payment_id": "PAY-7",
        },
    )
    assert cleared["held"] == "50.00"
    assert cleared["to_payment_id"] == "PAY-7"
    refunded = await post(
        client,
        f"/v1/accounts/{holding}/suspense/RCPT-1/clearances",
        {"clearance_id": "CL-2", "reason": "returned to sender", "cleared_on": "2026-01-15"},
    )
    assert refunded["amount"] == "50.00"
    assert refunded["held"] == "0.00"

    trial = await get(client, "/v1/reports/trial-balance", as_of="2026-03-01")
    assert _suspense(trial) == before
    assert all(Decimal(c["total"]) == 0 for c in trial["currencies"])
    summary = (await get(client, f"/v1/accounts/{holding}"))["summary"]
    assert summary["unapplied"] == "0.00"
    assert summary["balance"] == "0.00"


async def test_clearing_more_than_is_held_is_refused(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await post(
        client,
        f"/v1/accounts/{account_id}/suspense",
        {
            "payment_id": "RCPT-1",
            "amount": "20.00",
            "received_on": "2026-01-10",
            "method": "bank_transfer",
        },
    )
    r = await client.post(
        f"/v1/accounts/{account_id}/suspense/RCPT-1/clearances",
        json={"clearance_id": "CL-1", "amount": "20.01", "reason": "x", "cleared_on": "2026-01-11"},
    )
    assert_problem(r, 422, field="amount", rule="suspense-state")
    r = await client.post(
        f"/v1/accounts/{account_id}/payments/RCPT-1/reversal", json={"reason": "bounced"}
    )
    assert_problem(r, 422, field="payment_id", rule="suspense-state")


async def test_a_move_without_a_date_is_on_the_receipts_value_date(
    client: httpx.AsyncClient, account_id: str
) -> None:
    """Where the customer's payment is received too: cash clearing counts it once."""
    holding, customer = await _holding_and_customer(client, account_id)
    receipt = {"amount": "80.00", "received_on": "2026-01-10", "method": "bank_transfer"}
    await post(client, f"/v1/accounts/{holding}/suspense", {"payment_id": "R-1", **receipt})
    before = await get(client, "/v1/reports/trial-balance", as_of="2026-01-10")

    await pay(client, customer, "PAY-1", "80.00", on="2026-01-10")
    moved = await post(
        client,
        f"/v1/accounts/{holding}/suspense/R-1/clearances",
        {
            "clearance_id": "CL-1",
            "reason": "x",
            "to_account_id": customer,
            "to_payment_id": "PAY-1",
        },
    )

    assert moved["cleared_on"] == "2026-01-10"
    after = await get(client, "/v1/reports/trial-balance", as_of="2026-01-10")
    [was], [now] = (
        [c["accounts"] for c in t["currencies"] if c["currency"] == "SGD"] for t in (before, after)
    )
    assert now["1000-cash-clearing"] == was["1000-cash-clearing"]
    assert Decimal(now["1900-suspense"]) - Decimal(was["1900-suspense"]) == Decimal("80.00")

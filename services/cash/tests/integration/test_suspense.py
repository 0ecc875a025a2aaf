"""Unidentified receipts are held in the ledger's suspense, then moved or refunded."""

from __future__ import annotations

from decimal import Decimal

from .conftest import World
from .samples import Entry, camt053


def change(before: str, after: str) -> Decimal:
    return Decimal(after) - Decimal(before)


async def test_suspense_round_trip_to_a_customer(world: World) -> None:
    acc = await world.account("A", "Tampines Hardware")
    inv = await world.invoice(acc, "INV-1", "120.00")
    await world.sync()
    start = await world.suspense()

    await world.upload(camt053([Entry(world.id("E"), "120.00", "TH TRADING", "feb")]))

    [line] = await world.lines("review")
    assert line["suspense_account"] == "SUSPENSE-SGD"
    assert line["note"].endswith("held in suspense on SUSPENSE-SGD")
    assert change(start, await world.suspense()) == Decimal("-120.00")  # a credit balance
    assert await world.open_amount(acc, inv) == "120.00"

    r = await world.api.post(
        f"/v1/lines/{line['line_id']}/match",
        json={
            "parts": [{"account_id": acc, "allocations": [{"invoice_id": inv, "amount": "120.00"}]}]
        },
    )

    assert r.status_code == 200, r.text
    assert await world.open_amount(acc, inv) == "0.00"
    assert await world.suspense() == start
    events = (
        await world.ledger.get("/v1/accounts/SUSPENSE-SGD/events", params={"limit": 1000})
    ).json()["events"]
    mine = [e for e in events if e["data"].get("payment_id") == line["line_id"]]
    assert [e["type"] for e in mine] == ["ReceiptSuspended", "SuspenseCleared"]
    assert mine[1]["data"]["to_account_id"] == acc
    assert mine[1]["data"]["to_payment_id"] == line["line_id"]


async def test_a_refunded_receipt_leaves_suspense_as_owed_to_the_payer(world: World) -> None:
    start = await world.suspense()
    await world.upload(camt053([Entry(world.id("E"), "33.00", "WHO KNOWS", "??")]))
    [line] = await world.lines("review")
    assert change(start, await world.suspense()) == Decimal("-33.00")

    r = await world.api.post(f"/v1/lines/{line['line_id']}/refund", json={"reason": "unknown"})

    assert r.status_code == 200, r.text
    assert await world.suspense() == start
    again = await world.api.post(f"/v1/lines/{line['line_id']}/refund", json={"reason": "x"})
    assert again.status_code == 422
    assert await world.suspense() == start

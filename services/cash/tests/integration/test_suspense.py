"""Unidentified receipts are held in the ledger's suspense, then moved or refunded."""

from __future__ import annotations

from decimal import Decimal

from .conftest import World
from .samples import HK_IBAN, Entry, camt053


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


async def test_a_receipt_waits_in_the_suspense_of_the_entity_whose_account_it_reached(
    world: World,
) -> None:
    """SGD reaching the HK entity's bank account is held on HK's SGD holding account, not
    on SG's; matched by hand to an HK customer it moves from there."""
    hk_holding = world.id("SUSPENSE-HK-SGD")
    await world.call(
        "/v1/accounts",
        {
            "account_id": hk_holding,
            "name": "Suspense, SGD receipts of the HK entity",
            "currency": "SGD",
            "jurisdiction": "HK",
            "credit_limit": "0.00",
            "payment_terms_days": 0,
            "opened_on": "2000-01-01",
        },
    )
    world.service.app.suspense = {"SGD": "SUSPENSE-SGD", "HK/SGD": hk_holding}
    hk = await world.account("HK", "Causeway Bay Optics", jurisdiction="HK")
    await world.sync()
    raw = camt053([Entry(world.id("E"), "64.00", "CBO LTD", "feb")], iban=HK_IBAN)

    await world.upload(raw)

    [line] = await world.lines("review")
    assert (line["jurisdiction"], line["suspense_account"]) == ("HK", hk_holding)
    assert await held(world, hk_holding) == [("ReceiptSuspended", line["line_id"])]
    r = await world.api.post(
        f"/v1/lines/{line['line_id']}/match", json={"parts": [{"account_id": hk}]}
    )
    assert r.status_code == 200, r.text
    assert await held(world, hk_holding) == [
        ("ReceiptSuspended", line["line_id"]),
        ("SuspenseCleared", line["line_id"]),
    ]


async def held(world: World, holding: str) -> list[tuple[str, str]]:
    """What the holding account's events say: (type, the receipt's payment id)."""
    r = await world.ledger.get(f"/v1/accounts/{holding}/events")
    events = r.json()["events"][1:]  # after AccountOpened
    return [(e["type"], e["data"]["payment_id"]) for e in events]

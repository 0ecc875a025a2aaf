"""A returned receipt reverses its payment in the ledger; the invoice is open again."""

from __future__ import annotations

from .conftest import World
from .samples import Entry, camt053


async def test_a_bank_return_reverses_the_payment_with_its_reason(world: World) -> None:
    acc = await world.account("A", "Clementi Motors")
    inv = await world.invoice(acc, "INV-1", "640.00")
    await world.sync()
    paid = Entry(world.id("E1"), "640.00", "Clementi Motors", inv, end_to_end=world.id("DD1"))
    await world.upload(camt053([paid]))
    assert await world.open_amount(acc, inv) == "0.00"

    returned = Entry(
        world.id("E2"),
        "640.00",
        "Clementi Motors",
        "",
        credit=False,
        end_to_end=world.id("DD1"),
        return_code="AM04",
        value_date="2026-02-14",
    )
    r = await world.upload(camt053([returned], statement_id="STMT-2"))

    assert r.json()["status"] == {"return": 1}
    assert await world.open_amount(acc, inv) == "640.00"
    events = (await world.ledger.get(f"/v1/accounts/{acc}/events")).json()["events"]
    [reversal] = [e for e in events if e["type"] == "PaymentReversed"]
    assert reversal["data"]["reason"] == "returned by the bank: AM04 insufficient funds"
    assert reversal["effective_date"] == "2026-02-14"
    statuses = {ln["entry_ref"]: ln["status"] for ln in await world.lines()}
    assert statuses == {world.id("E1"): "returned", world.id("E2"): "return"}


async def test_a_return_of_an_unknown_payment_waits_for_review(world: World) -> None:
    returned = Entry(
        world.id("E"), "10.00", "", "", credit=False, end_to_end="NOPE", return_code="AC04"
    )
    await world.upload(camt053([returned]))
    [line] = await world.lines("review")
    assert line["note"] == "return of an unknown or unposted payment: NOPE"


async def test_money_out_that_is_no_return_is_ignored(world: World) -> None:
    await world.upload(camt053([Entry(world.id("E"), "3.00", "", "fee", credit=False)]))
    assert [ln["status"] for ln in await world.lines()] == ["ignored"]

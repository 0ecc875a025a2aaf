"""A page of lines matched together and posted through the ledger's batches: what one line
takes is no longer open for the next, a refusal reaches only its line, and a ledger that
takes no batches gets the lines one by one. An account's open items are asked once per run,
not once per page, unless a posting to it was refused."""

from __future__ import annotations

from typing import Any

from cash.adapters.ledger.client import HttpLedger
from cash.domain.statement import line_id

from .conftest import World
from .samples import IBAN, Entry, camt053


class Tampered:
    """The ledger, with one payment's allocation pointed at an invoice it does not have
    (so the ledger refuses it), or taking no batches at all."""

    def __init__(self, ledger: HttpLedger, *, break_payment: str = "", batches: bool = True):
        self.ledger, self.break_payment, self.batches = ledger, break_payment, batches
        self.batch_calls = 0
        self.asked: list[str] = []  # the accounts whose open items were asked, in order

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ledger, name)

    async def open_items(self, account_id: str) -> Any:
        self.asked.append(account_id)
        return await self.ledger.open_items(account_id)

    async def batch(self, commands: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        if not self.batches:
            return None
        self.batch_calls += 1
        for c in commands:
            if c["body"].get("payment_id") == self.break_payment and c["op"] == "receive_payment":
                c["body"]["allocations"] = [{"invoice_id": "NO-SUCH", "amount": "1.00"}]
        return await self.ledger.batch(commands)


async def test_lines_of_one_page_see_what_the_others_took(world: World) -> None:
    acc = await world.account("A", "Changi Cargo")
    inv = await world.invoice(acc, "INV-1", "100.00")
    await world.sync()

    r = await world.upload(
        camt053([Entry(world.id("E1"), "80.00", "", inv), Entry(world.id("E2"), "80.00", "", inv)])
    )

    assert r.json()["status"] == {"matched": 2}, r.text
    assert await world.open_amount(acc, inv) == "0.00"
    summary = await world.summary(acc)
    assert (summary["paid"], summary["unapplied"]) == ("160.00", "60.00")


async def test_a_refused_posting_sends_only_its_line_to_review(world: World) -> None:
    acc = await world.account("A", "Changi Cargo")
    one = await world.invoice(acc, "INV-1", "100.00")
    two = await world.invoice(acc, "INV-2", "50.00")
    await world.sync()
    raw = camt053(
        [Entry(world.id("E1"), "100.00", "", one), Entry(world.id("E2"), "50.00", "", two)]
    )
    broken = line_id(IBAN, world.id("E1"))
    ledger = Tampered(world.service.app.ledger, break_payment=broken)  # type: ignore[arg-type]
    world.service.app.ledger = ledger  # type: ignore[assignment]

    r = await world.upload(raw)

    assert r.json()["status"] == {"matched": 1, "review": 1}, r.text
    [waits] = await world.lines("review")
    assert waits["line_id"] == broken
    assert waits["note"].startswith("the ledger refused the posting: 4")
    assert await world.open_amount(acc, two) == "0.00"  # not applied in the batch: alone
    assert await world.open_amount(acc, one) == "100.00"
    assert ledger.batch_calls == 1


async def test_a_ledger_without_batches_gets_the_lines_one_by_one(world: World) -> None:
    acc = await world.account("A", "Changi Cargo")
    inv = await world.invoice(acc, "INV-1", "100.00")
    await world.sync()
    world.service.app.ledger = Tampered(world.service.app.ledger, batches=False)  # type: ignore[arg-type,assignment]

    r = await world.upload(
        camt053(
            [Entry(world.id("E1"), "100.00", "", inv), Entry(world.id("E2"), "5.00", "NOBODY", "?")]
        )
    )

    assert r.json()["status"] == {"matched": 1, "review": 1}, r.text
    assert await world.open_amount(acc, inv) == "0.00"
    [waits] = await world.lines("review")
    assert waits["suspense_account"] == "SUSPENSE-SGD"


async def test_an_accounts_open_items_are_asked_once_per_run_not_per_page(world: World) -> None:
    acc = await world.account("A", "Changi Cargo")
    invoices = [await world.invoice(acc, f"INV-{n}", "100.00") for n in (1, 2, 3)]
    await world.sync()
    raw = camt053([Entry(world.id(f"E{n}"), "100.00", "", inv) for n, inv in enumerate(invoices)])
    await world.upload(raw, process="false")
    ledger = Tampered(world.service.app.ledger)  # type: ignore[arg-type]
    world.service.app.ledger = ledger  # type: ignore[assignment]

    outcomes = await world.service.app.process(batch=1)  # three pages

    assert outcomes == {"matched": 3}
    assert ledger.asked == [acc]
    assert [await world.open_amount(acc, inv) for inv in invoices] == ["0.00"] * 3


async def test_after_a_refused_posting_the_accounts_open_items_are_asked_again(
    world: World,
) -> None:
    acc = await world.account("A", "Changi Cargo")
    inv = await world.invoice(acc, "INV-1", "100.00")
    await world.sync()
    first, second = world.id("E1"), world.id("E2")
    raw = camt053([Entry(first, "100.00", "", inv), Entry(second, "100.00", "", inv)])
    await world.upload(raw, process="false")
    pages = sorted([line_id(IBAN, first), line_id(IBAN, second)])  # the order of the pages
    ledger = Tampered(world.service.app.ledger, break_payment=pages[0])  # type: ignore[arg-type]
    world.service.app.ledger = ledger  # type: ignore[assignment]

    outcomes = await world.service.app.process(batch=1)

    assert outcomes == {"review": 1, "matched": 1}
    assert ledger.asked == [acc, acc]  # the refused line took nothing: INV-1 is open
    assert await world.open_amount(acc, inv) == "0.00"  # paid by the second line

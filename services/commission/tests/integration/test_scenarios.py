"""Commission scenarios driven through the ledger's HTTP API and its event feed."""

from __future__ import annotations

from .conftest import World


async def test_first_year_and_renewal_lines_earn_their_own_rates(world: World) -> None:
    broker = await world.broker()
    await world.agreement(broker, "AG", "2026-01-01", "0.15", "0.05")
    acc = await world.account(broker_id=broker)
    inv = await world.invoice(acc, "INV", [("1000.00", 1), ("500.00", 2)], "2026-11-02")
    await world.pay(acc, "PAY", "1500.00", "2026-11-10", inv)
    await world.sync()
    got = await world.accruals(broker, "2026-11")
    assert [(e["policy_year"], e["rate"], e["amount"]) for e in got["entries"]] == [
        (1, "0.15", "150.00"),
        (2, "0.05", "25.00"),
    ]
    assert got["totals"][0]["net"] == "175.00"


async def test_a_rate_change_mid_period_prices_invoices_by_their_issue_date(world: World) -> None:
    broker = await world.broker()
    await world.agreement(broker, "OLD", "2026-01-01", "0.10", "0.10")
    await world.agreement(broker, "NEW", "2026-11-15", "0.12", "0.12")
    acc = await world.account(broker_id=broker)
    before = await world.invoice(acc, "I1", [("1000.00", 1)], "2026-11-05")
    after = await world.invoice(acc, "I2", [("1000.00", 1)], "2026-11-20")
    await world.pay(acc, "P1", "1000.00", "2026-11-25", before)
    await world.pay(acc, "P2", "1000.00", "2026-11-25", after)
    await world.sync()
    entries = (await world.accruals(broker, "2026-11"))["entries"]
    assert {e["invoice_id"]: e["amount"] for e in entries} == {before: "100.00", after: "120.00"}


async def test_a_partial_then_full_payment_accrues_exactly_rate_times_total(world: World) -> None:
    broker = await world.broker()
    await world.agreement(broker, "AG", "2026-01-01", "0.125", "0.125")
    acc = await world.account(broker_id=broker)
    inv = await world.invoice(acc, "INV", [("333.33", 1), ("666.67", 1), ("0.05", 1)], "2026-11-01")
    await world.pay(acc, "P1", "100.01", "2026-11-03", inv)
    await world.sync()
    partial = await world.net(broker)
    await world.pay(acc, "P2", "900.04", "2026-11-20", inv)
    await world.sync()
    assert partial == "12.50"  # 100.01 x 12.5% = 12.50125
    assert await world.net(broker) == "125.01"  # 1000.05 x 12.5% = 125.00625 -> 125.01


async def test_credit_note_claws_back_what_it_releases_and_a_refund_adds_nothing(
    world: World,
) -> None:
    broker = await world.broker()
    await world.agreement(broker, "AG", "2026-01-01", "0.15", "0.15")
    acc = await world.account(broker_id=broker)
    inv = await world.invoice(acc, "INV", [("1000.00", 1)], "2026-11-01")
    await world.pay(acc, "PAY", "1000.00", "2026-11-02", inv)
    await world.call(
        world.ledger,
        f"/v1/accounts/{acc}/credit-notes",
        {
            "credit_note_id": world.id("CN"),
            "invoice_id": inv,
            "amount": "400.00",
            "reason": "cover reduced",
            "issued_on": "2026-11-10",
        },
    )
    await world.call(
        world.ledger,
        f"/v1/accounts/{acc}/refunds",
        {
            "refund_id": world.id("RF"),
            "amount": "400.00",
            "reason": "return credit",
            "refunded_on": "2026-11-12",
        },
    )
    await world.sync()
    got = await world.accruals(broker, "2026-11")
    assert [(e["event_type"], e["amount"]) for e in got["entries"]] == [
        ("PaymentAllocated", "150.00"),
        ("CreditNoteIssued", "-60.00"),
    ]


async def test_write_off_claws_back_billing_basis_but_not_unearned_collection(
    world: World,
) -> None:
    billing = await world.broker("BILL")
    collection = await world.broker("COLL")
    await world.agreement(billing, "AB", "2026-01-01", "0.10", "0.10", basis="billing")
    await world.agreement(collection, "AC", "2026-01-01", "0.10", "0.10")
    acc_b = await world.account("AB", broker_id=billing)
    acc_c = await world.account("AC", broker_id=collection)
    inv_b = await world.invoice(acc_b, "IB", [("1000.00", 1)], "2026-11-01")
    inv_c = await world.invoice(acc_c, "IC", [("1000.00", 1)], "2026-11-01")
    await world.pay(acc_c, "PC", "600.00", "2026-11-05", inv_c)
    for acc, inv in ((acc_b, inv_b), (acc_c, inv_c)):
        await world.call(
            world.ledger,
            f"/v1/accounts/{acc}/write-offs",
            {
                "write_off_id": world.id(f"WO-{inv}"),
                "invoice_id": inv,
                "reason": "insolvent",
                "written_off_on": "2026-11-20",
            },
        )
    await world.sync()
    b = await world.accruals(billing, "2026-11")
    assert [(e["event_type"], e["amount"]) for e in b["entries"]] == [
        ("InvoiceIssued", "100.00"),
        ("InvoiceWrittenOff", "-100.00"),
    ]
    assert await world.net(collection) == "60.00"


async def test_a_payment_reversal_claws_back_its_commission(world: World) -> None:
    broker = await world.broker()
    await world.agreement(broker, "AG", "2026-01-01", "0.15", "0.15")
    acc = await world.account(broker_id=broker)
    inv = await world.invoice(acc, "INV", [("1000.00", 1)], "2026-11-01")
    pay = await world.pay(acc, "PAY", "1000.00", "2026-11-02", inv)
    await world.call(
        world.ledger,
        f"/v1/accounts/{acc}/payments/{pay}/reversal",
        {"reason": "bounced", "reversed_on": "2026-11-09"},
    )
    await world.sync()
    got = await world.accruals(broker, "2026-11")
    assert [e["amount"] for e in got["entries"]] == ["150.00", "-150.00"]
    assert got["totals"][0]["net"] == "0.00"

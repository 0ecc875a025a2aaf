"""The books stay right through suspense: receipts held, later matched by hand or refunded.

Whatever the order and however long after the receipt it is identified, the ledger's trial
balance as of every date sums to zero, cash clearing holds each receipt once from its value
date on, a matched receipt is the customer's from that date (and no longer in suspense), a
refunded one leaves suspense on the day its refund is decided -- and a trial balance "as
known at" a moment before the decisions still says what the books said then.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import World
from .samples import Entry, camt053

CASH, SUSPENSE = "1000-cash-clearing", "1900-suspense"
UNAPPLIED, REFUNDS = "2100-unapplied-cash", "2200-refunds-payable"
_statements = count(1)

receipt = st.tuples(
    st.integers(1, 900_00),  # cents
    st.integers(0, 300).map(lambda n: date(2026, 1, 1) + timedelta(days=n)),  # value date
    st.sampled_from(["match", "refund", "wait"]),
)


async def trial_balance(
    world: World, on: date, known_at: datetime | None = None
) -> dict[str, Decimal]:
    params = {"as_of": on.isoformat()}
    if known_at is not None:
        params["known_at"] = known_at.isoformat()
    r = await world.ledger.get("/v1/reports/trial-balance", params=params)
    assert r.status_code == 200, r.text
    sgd = [c for c in r.json()["currencies"] if c["currency"] == "SGD"]
    return {k: Decimal(v) for k, v in (sgd[0]["accounts"] if sgd else {}).items()}


def change(before: dict[str, Decimal], after: dict[str, Decimal]) -> dict[str, Decimal]:
    """What moved on each account (accounts that did not move left out)."""
    moved = {k: after.get(k, Decimal(0)) - before.get(k, Decimal(0)) for k in {*before, *after}}
    return {k: v for k, v in moved.items() if v}


def expected(
    receipts: list[tuple[Decimal, date, str]], on: date, today: date
) -> dict[str, Decimal]:
    """What the receipts (amount, value date, fate) should have moved as of ``on``."""
    out = dict.fromkeys((CASH, SUSPENSE, UNAPPLIED, REFUNDS), Decimal(0))
    for amount, value_date, fate in receipts:
        if value_date > on:
            continue
        out[CASH] += amount  # once, from the day the bank credited it
        if fate == "match":
            out[UNAPPLIED] -= amount  # the customer's credit from that same day
        elif fate == "refund" and on >= today:
            out[REFUNDS] -= amount  # owed back from the day the refund was decided
        else:
            out[SUSPENSE] -= amount
    return {k: v for k, v in out.items() if v}


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(receipts=st.lists(receipt, min_size=1, max_size=4), order=st.randoms())
async def test_trial_balance_counts_each_receipt_once_on_every_date(
    world: World, receipts: list[tuple[int, date, str]], order: Any
) -> None:
    acc = await world.account(f"K{next(_statements)}", "Kallang Bakery Supplies")
    await world.sync()
    today = world.service.app.clock.now().date()
    refs = [world.id(f"S{next(_statements)}") for _ in receipts]
    dates = sorted(
        {d for _, v, _ in receipts for d in (v - timedelta(days=1), v)}
        | {today - timedelta(days=1), today, date(2027, 1, 1)}
    )
    before = {d: await trial_balance(world, d) for d in dates}
    entries = [
        Entry(
            ref, f"{cents // 100}.{cents % 100:02d}", "NOBODY WE KNOW", "", value_date=v.isoformat()
        )
        for ref, (cents, v, _) in zip(refs, receipts, strict=True)
    ]
    r = await world.upload(camt053(entries, statement_id=refs[0]))
    assert r.status_code in (200, 201), r.text
    waiting = {ln["entry_ref"]: ln for ln in await world.lines("review")}
    lines = [next(ln for e, ln in waiting.items() if e.startswith(ref)) for ref in refs]
    assert all(ln["suspense_account"] == "SUSPENSE-SGD" for ln in lines)
    held = {d: await trial_balance(world, d) for d in dates}
    known = datetime.now(UTC)

    decisions = list(zip(lines, receipts, strict=True))
    order.shuffle(decisions)
    for ln, (_, _, fate) in decisions:
        path = f"/v1/lines/{ln['line_id']}"
        if fate == "match":
            r = await world.api.post(f"{path}/match", json={"parts": [{"account_id": acc}]})
        elif fate == "refund":
            r = await world.api.post(f"{path}/refund", json={"reason": "not ours"})
        else:
            continue
        assert r.status_code == 200, r.text

    fates = [
        (Decimal(ln["amount"]), v, fate) for ln, (_, v, fate) in zip(lines, receipts, strict=True)
    ]
    for d in dates:
        after = await trial_balance(world, d)
        assert sum(after.values()) == 0, (d, after)
        assert change(before[d], after) == expected(fates, d, today), d
        # what the books said before the decisions is still what they said, known then
        assert await trial_balance(world, d, known) == held[d], d


async def test_the_walk_through_of_the_readme(world: World) -> None:
    """The collections clerk's walk-through: its statement, accounts and figures."""
    for account_id, name, invoices in (
        (
            "MERLION",
            "Merlion Logistics Pte Ltd",
            (("INV-7001", None, "1250.00"), ("INV-7002", "GL-88", "480.00")),
        ),
        ("RAFFLES", "Raffles Dental Group", (("INV-7101", None, "300.00"),)),
    ):
        await world.call(
            "/v1/accounts",
            {
                "account_id": account_id,
                "name": name,
                "currency": "SGD",
                "jurisdiction": "SG",
                "credit_limit": "10000.00",
                "payment_terms_days": 30,
                "opened_on": "2026-01-01",
            },
        )
        for invoice_id, policy_id, amount in invoices:
            await world.call(
                f"/v1/accounts/{account_id}/invoices",
                {
                    "invoice_id": invoice_id,
                    "issue_date": "2026-01-10",
                    "due_date": "2026-02-09",
                    "policy_id": policy_id,
                    "lines": [{"description": "Premium", "amount": amount}],
                },
            )
    await world.sync()
    feb, year_end = date(2026, 2, 28), date(2026, 12, 31)
    start = {d: await trial_balance(world, d) for d in (feb, year_end)}
    sample = Path(__file__).parents[2] / "examples/camt053-2026-02-10.xml"

    r = await world.upload(sample.read_bytes())

    assert r.status_code in (200, 201), r.text
    assert change(start[feb], await trial_balance(world, feb))[SUSPENSE] == Decimal("-395.00")
    waiting = {ln["amount"]: ln["line_id"] for ln in await world.lines("review")}
    r = await world.api.post(
        f"/v1/lines/{waiting['300.00']}/match",
        json={
            "parts": [
                {
                    "account_id": "RAFFLES",
                    "allocations": [{"invoice_id": "INV-7101", "amount": "300.00"}],
                }
            ]
        },
    )
    assert r.status_code == 200, r.text
    r = await world.api.post(
        f"/v1/lines/{waiting['95.00']}/refund", json={"reason": "not a customer"}
    )
    assert r.status_code == 200, r.text

    balance = await world.ledger.get("/v1/accounts/RAFFLES/balance", params={"as_of": "2026-02-28"})
    assert balance.json()["balance"] == "0.00"
    # 28 Feb: the bank's 2122.50 once; J DOE's 95.00 still in suspense (refunded today)
    assert change(start[feb], await trial_balance(world, feb)) == {
        CASH: Decimal("2122.50"),
        SUSPENSE: Decimal("-95.00"),
        "1100-receivables": Decimal("-2030.00"),  # all three invoices settled
        "6100-bad-debt-expense": Decimal("2.50"),  # the 2.50 tolerated on INV-7002
    }
    moved = change(start[year_end], await trial_balance(world, year_end))
    assert SUSPENSE not in moved
    assert moved[REFUNDS] == Decimal("-95.00")

"""Double entry: every financial event maps to balanced postings on the chart."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from ledger_scenarios import (
    adjusted,
    allocated,
    credited,
    day,
    disputed,
    invoiced,
    opened,
    received,
    refunded,
    reversed_event,
    share,
    then_state,
    written_off,
)

from ledger.domain import events as ev
from ledger.domain.postings import Chart, Posting, postings

R, REV, CASH, UNAPPLIED = (
    Chart.RECEIVABLES,
    Chart.PREMIUM_REVENUE,
    Chart.CASH_CLEARING,
    Chart.UNAPPLIED_CASH,
)


@pytest.mark.parametrize(
    ("event", "lines"),
    [
        (invoiced("INV-1", "100.00"), [Posting(R, 10000, "INV-1"), Posting(REV, -10000)]),
        (
            invoiced("INV-1", "1500", currency="JPY"),
            [Posting(R, 1500, "INV-1"), Posting(REV, -1500)],
        ),
        (received("PAY-1", "60.00"), [Posting(CASH, 6000), Posting(UNAPPLIED, -6000)]),
        (
            allocated("PAY-1", "INV-1", "60.00"),
            [Posting(UNAPPLIED, 6000), Posting(R, -6000, "INV-1")],
        ),
        (
            reversed_event("60.00", share("PAY-1", "INV-1", "45.00"), on=3),
            [
                Posting(R, 4500, "INV-1"),
                Posting(UNAPPLIED, -4500),
                Posting(UNAPPLIED, 6000),
                Posting(CASH, -6000),
            ],
        ),
        (
            credited("70.00", share("PAY-1", "INV-1", "30.00"), on=3),
            [
                Posting(REV, 7000),
                Posting(R, -7000, "INV-1"),
                Posting(R, 3000, "INV-1"),
                Posting(UNAPPLIED, -3000),
            ],
        ),
        (
            adjusted("-30.00"),
            [Posting(R, -3000, "INV-1"), Posting(REV, 3000)],
        ),
        (
            adjusted("25.00", None, adjustment_id="DN-1"),
            [Posting(R, 2500, "DN-1"), Posting(REV, -2500)],
        ),
        (
            written_off("INV-1", "40.00"),
            [Posting(Chart.BAD_DEBT, 4000), Posting(R, -4000, "INV-1")],
        ),
        (
            ev.WriteOffRecovered(
                recovery_id="REC-1",
                invoice_id="INV-1",
                currency="SGD",
                amount=Decimal("15.00"),
                reason="x",
                recovered_on=day(3),
            ),
            [Posting(R, 1500, "INV-1"), Posting(Chart.BAD_DEBT, -1500)],
        ),
        (
            refunded("REF-1", "40.00", {"PAY-1": "30.00", "PAY-2": "10.00"}),
            [Posting(UNAPPLIED, 4000), Posting(Chart.REFUNDS_PAYABLE, -4000)],
        ),
        (opened(), []),
        (disputed("INV-1"), []),
        (ev.DisputeResolved(invoice_id="INV-1", resolution="ok", resolved_on=day(3)), []),
    ],
)
def test_postings_of_each_event(event: ev.Event, lines: list[Posting]) -> None:
    assert postings(event) == lines
    assert sum(p.amount for p in lines) == 0


def test_general_ledger_agrees_with_the_account_totals() -> None:
    history = [
        opened(),
        invoiced("INV-1", "100.00"),
        received("PAY-1", "150.00"),
        allocated("PAY-1", "INV-1", "100.00"),
        refunded("REF-1", "20.00", {"PAY-1": "20.00"}),
        invoiced("INV-2", "80.00"),
        written_off("INV-2", "30.00"),
    ]
    balance: dict[Chart, int] = defaultdict(int)
    for event in history:
        for line in postings(event):
            balance[line.account] += line.amount
    totals = then_state(history).totals

    assert sum(balance.values()) == 0
    assert balance[R] == totals.open == 5000
    assert -balance[UNAPPLIED] == totals.unapplied == 3000
    assert balance[CASH] == totals.received - totals.reversed
    assert -balance[Chart.REFUNDS_PAYABLE] == totals.refunded
    assert balance[Chart.BAD_DEBT] == totals.written_off - totals.recovered

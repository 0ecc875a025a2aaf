"""Reversing a payment (bounce, chargeback): its allocations are undone, invoices reopen."""

from __future__ import annotations

from decimal import Decimal

from ledger_scenarios import (
    allocated,
    credited,
    day,
    invoiced,
    opened,
    received,
    refunded,
    rejected,
    reverse,
    reversed_event,
    share,
    then_state,
    when,
)

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.state import evolve

PAID = [
    opened(),
    invoiced("INV-1", "100.00", due=30),
    invoiced("INV-2", "50.00", due=60),
    received("PAY-1", "150.00"),
    allocated("PAY-1", "INV-1", "100.00"),
    allocated("PAY-1", "INV-2", "20.00"),
]


def test_reversal_undoes_the_allocations_and_the_invoices_reopen() -> None:
    before = then_state(PAID)
    assert (before.totals.open, before.totals.unapplied) == (3000, 3000)

    events = when(PAID, reverse())

    assert events == [
        reversed_event(
            "150.00", share("PAY-1", "INV-1", "100.00"), share("PAY-1", "INV-2", "20.00")
        )
    ]
    state = then_state(PAID, *events)
    assert (state.items["INV-1"].open_amount, state.items["INV-1"].status) == (10000, "open")
    assert state.items["INV-2"].open_amount == 5000
    assert state.items["INV-1"].allocations == {}
    payment = state.payments["PAY-1"]
    assert payment.reversed
    assert (payment.allocations, payment.unapplied) == ({}, 0)
    assert (state.totals.open, state.totals.unapplied, state.totals.reversed) == (15000, 0, 15000)


def test_reversal_of_an_unallocated_payment_releases_nothing() -> None:
    history = [opened(), received("PAY-1", "40.00")]
    events = when(history, reverse())
    assert events == [reversed_event("40.00")]
    assert then_state(history, *events).totals.unapplied == 0


def test_reversal_releases_only_what_is_still_allocated() -> None:
    # A credit note already released 40.00 of PAY-1's allocation back to unapplied.
    history = [
        opened(),
        invoiced("INV-1", "100.00"),
        received("PAY-1", "100.00"),
        allocated("PAY-1", "INV-1", "100.00"),
        credited("40.00", share("PAY-1", "INV-1", "40.00"), on=5),
    ]
    events = when(history, reverse())

    assert events == [reversed_event("100.00", share("PAY-1", "INV-1", "60.00"))]
    state = then_state(history, *events)
    assert state.items["INV-1"].open_amount == 6000
    assert (state.totals.open, state.totals.unapplied) == (6000, 0)


def test_a_payment_is_reversed_once() -> None:
    history = [
        *PAID,
        reversed_event(
            "150.00", share("PAY-1", "INV-1", "100.00"), share("PAY-1", "INV-2", "20.00")
        ),
    ]
    rejected(
        history,
        reverse(),
        err.PaymentAlreadyReversed,
        rule="payment-already-reversed",
        field=None,
    )


def test_a_refunded_payment_cannot_be_reversed() -> None:
    history = [*PAID, refunded("REF-1", "10.00", {"PAY-1": "10.00"})]
    rejected(
        history,
        reverse(),
        err.PaymentRefunded,
        rule="payment-refunded",
        field=None,
    )


def test_unknown_payment_cannot_be_reversed() -> None:
    rejected(
        PAID,
        reverse("PAY-404"),
        err.UnknownPayment,
        rule="unknown-payment",
        field="payment_id",
    )


def test_a_reversed_payment_is_no_source_of_credit() -> None:
    history = [
        opened(),
        received("PAY-1", "50.00"),
        received("PAY-2", "30.00", on=2),
        reversed_event("50.00"),
    ]
    rejected(
        history,
        cmd.IssueRefund(
            refund_id="REF-1", amount=Decimal("30.01"), reason="x", refunded_on=day(20)
        ),
        err.InsufficientCredit,
        rule="insufficient-credit",
        field="amount",
    )
    [refund] = when(
        history,
        cmd.IssueRefund(
            refund_id="REF-1", amount=Decimal("30.00"), reason="x", refunded_on=day(20)
        ),
    )
    assert isinstance(refund, ev.RefundIssued)
    assert refund.sources == (share("PAY-2", None, "30.00"),)


def test_reversal_folded_into_a_partial_state_clears_the_payment_allocations() -> None:
    # The application loads only open items, so the paid INV-1 may be missing; the
    # reversal must still empty PAY-1's allocations (its row is written from this state).
    history = [
        opened(),
        invoiced("INV-1", "100.00"),
        received("PAY-1", "100.00"),
        allocated("PAY-1", "INV-1", "100.00"),
    ]
    partial = then_state(history)
    del partial.items["INV-1"]
    [event] = when(history, reverse())

    state = evolve(partial, event)

    assert state.payments["PAY-1"].allocations == {}
    assert (state.totals.open, state.totals.unapplied) == (10000, 0)
    assert state.payments["PAY-1"] == then_state(history, event).payments["PAY-1"]

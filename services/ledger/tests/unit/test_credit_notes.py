"""Credit notes reduce an invoice; past what is open they release payments, newest first."""

from __future__ import annotations

from ledger_scenarios import (
    OPEN,
    PARTLY_PAID,
    allocated,
    credit,
    credited,
    received,
    rejected,
    share,
    then_state,
    when,
    written_off,
)

from ledger.domain import errors as err

PAID_BY_TWO = [
    *OPEN,
    received("PAY-1", "60.00", on=1),
    allocated("PAY-1", "INV-1", "60.00", on=1),
    received("PAY-2", "40.00", on=2),
    allocated("PAY-2", "INV-1", "40.00", on=2),
]


def test_credit_note_on_an_open_invoice_reduces_what_is_open() -> None:
    events = when(OPEN, credit("30.00"))

    assert events == [credited("30.00")]
    state = then_state(OPEN, *events)
    item = state.items["INV-1"]
    assert (item.credited, item.billed, item.open_amount) == (3000, 7000, 7000)
    assert (state.totals.credited, state.totals.open) == (3000, 7000)


def test_credit_note_up_to_what_is_open_releases_nothing() -> None:
    assert when(PARTLY_PAID, credit("40.00")) == [credited("40.00")]


def test_credit_note_beyond_what_is_open_releases_the_payment_to_unapplied_credit() -> None:
    events = when(PARTLY_PAID, credit("70.00"))

    assert events == [credited("70.00", share("PAY-1", "INV-1", "30.00"))]
    state = then_state(PARTLY_PAID, *events)
    item = state.items["INV-1"]
    assert (item.billed, item.paid, item.open_amount, item.status) == (3000, 3000, 0, "paid")
    assert item.allocations == {"PAY-1": 3000}
    assert state.payments["PAY-1"].unapplied == 3000
    assert (state.totals.open, state.totals.unapplied) == (0, 3000)


def test_credit_note_on_a_paid_invoice_releases_the_newest_allocation_first() -> None:
    events = when(PAID_BY_TWO, credit("50.00"))

    assert events == [
        credited("50.00", share("PAY-2", "INV-1", "40.00"), share("PAY-1", "INV-1", "10.00"))
    ]
    state = then_state(PAID_BY_TWO, *events)
    assert state.payments["PAY-2"].unapplied == 4000
    assert state.payments["PAY-1"].unapplied == 1000
    assert state.items["INV-1"].allocations == {"PAY-1": 5000}
    assert (state.totals.open, state.totals.unapplied) == (0, 5000)


def test_full_credit_cancels_an_unpaid_invoice() -> None:
    state = then_state(OPEN, *when(OPEN, credit("100.00")))
    assert (state.items["INV-1"].open_amount, state.items["INV-1"].status) == (0, "cancelled")


def test_full_credit_of_a_paid_invoice_returns_every_payment_to_credit() -> None:
    events = when(PAID_BY_TWO, credit("100.00"))
    assert events == [
        credited("100.00", share("PAY-2", "INV-1", "40.00"), share("PAY-1", "INV-1", "60.00"))
    ]
    state = then_state(PAID_BY_TWO, *events)
    assert state.items["INV-1"].status == "cancelled"
    assert state.totals.unapplied == 10000


def test_credit_note_may_not_exceed_what_was_billed_and_not_written_off() -> None:
    history = [*OPEN, written_off("INV-1", "30.00")]
    assert when(history, credit("70.00")) == [credited("70.00")]
    rejected(
        history,
        credit("70.01"),
        err.ExceedsOpenAmount,
        rule="exceeds-open-amount",
        field="amount",
    )


def test_credit_note_above_the_invoice_is_rejected() -> None:
    rejected(
        PAID_BY_TWO,
        credit("100.01"),
        err.ExceedsOpenAmount,
        rule="exceeds-open-amount",
        field="amount",
    )

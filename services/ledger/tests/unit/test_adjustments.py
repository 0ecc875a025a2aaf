"""Adjustments: signed changes to an invoice, or a debit note of their own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from ledger_scenarios import (
    OPEN,
    PARTLY_PAID,
    adjust,
    adjusted,
    allocated,
    day,
    received,
    rejected,
    share,
    then_state,
    when,
    written_off,
)

from ledger.domain import commands as cmd
from ledger.domain import errors as err


def test_positive_adjustment_raises_the_invoice() -> None:
    events = when(OPEN, adjust("10.00"))

    assert events == [adjusted("10.00")]
    state = then_state(OPEN, *events)
    item = state.items["INV-1"]
    assert (item.adjusted, item.billed, item.open_amount) == (1000, 11000, 11000)
    assert (state.totals.adjusted, state.totals.open) == (1000, 11000)


def test_negative_adjustment_lowers_the_invoice() -> None:
    events = when(OPEN, adjust("-30.00"))

    assert events == [adjusted("-30.00")]
    state = then_state(OPEN, *events)
    assert state.items["INV-1"].open_amount == 7000
    assert (state.totals.adjusted, state.totals.open) == (-3000, 7000)


def test_negative_adjustment_beyond_what_is_open_releases_payments() -> None:
    events = when(PARTLY_PAID, adjust("-70.00"))

    assert events == [adjusted("-70.00", "INV-1", share("PAY-1", "INV-1", "30.00"))]
    state = then_state(PARTLY_PAID, *events)
    assert (state.items["INV-1"].billed, state.items["INV-1"].open_amount) == (3000, 0)
    assert state.payments["PAY-1"].unapplied == 3000
    assert (state.totals.open, state.totals.unapplied) == (0, 3000)


def test_positive_adjustment_on_a_paid_invoice_reopens_it() -> None:
    history = [*PARTLY_PAID, received("PAY-2", "40.00"), allocated("PAY-2", "INV-1", "40.00")]
    events = when(history, adjust("5.00"))
    assert events == [adjusted("5.00")]
    assert then_state(history, *events).items["INV-1"].status == "open"


def test_positive_adjustment_without_invoice_is_a_debit_note_due_at_once() -> None:
    events = when(OPEN, adjust("25.00", invoice_id=None, adjustment_id="DN-1"))

    assert events == [adjusted("25.00", None, adjustment_id="DN-1")]
    state = then_state(OPEN, *events)
    note = state.items["DN-1"]
    assert (note.kind, note.issue_date, note.due_date, note.open_amount) == (
        "debit_note",
        day(3),
        day(3),
        2500,
    )
    assert state.totals.open == 12500

    # it is due before INV-1, so the next payment pays it first
    pay = cmd.ReceivePayment(
        payment_id="PAY-1", amount=Decimal("30.00"), received_on=day(4), method="bank-transfer"
    )
    _, *allocations = when([*OPEN, *events], pay)
    assert allocations == [
        allocated("PAY-1", "DN-1", "25.00", on=4),
        allocated("PAY-1", "INV-1", "5.00", on=4),
    ]


def test_negative_adjustment_without_invoice_is_rejected() -> None:
    rejected(
        OPEN,
        adjust("-5.00", invoice_id=None),
        err.InvalidAmount,
        rule="invalid-amount",
        field="invoice_id",
    )


@pytest.mark.parametrize("taken", ["DN-1", "INV-1"])
def test_debit_note_id_must_be_new(taken: str) -> None:
    history = [*OPEN, adjusted("1.00", None, adjustment_id="DN-1")]
    rejected(
        history,
        adjust("5.00", invoice_id=None, adjustment_id=taken),
        err.DuplicateId,
        rule="duplicate-id",
        field="adjustment_id",
    )


def test_negative_adjustment_may_not_exceed_what_was_billed_and_not_written_off() -> None:
    history = [*PARTLY_PAID, written_off("INV-1", "10.00")]
    assert when(history, adjust("-90.00")) == [
        adjusted("-90.00", "INV-1", share("PAY-1", "INV-1", "60.00"))
    ]
    rejected(
        history,
        adjust("-90.01"),
        err.ExceedsOpenAmount,
        rule="exceeds-open-amount",
        field="amount",
    )

"""Unapplied credit: refunded or applied to an invoice, drawn from the oldest payment first."""

from __future__ import annotations

from decimal import Decimal

import pytest
from ledger_scenarios import (
    allocated,
    credited,
    day,
    disputed,
    invoiced,
    opened,
    received,
    refunded,
    rejected,
    share,
    then_state,
    when,
)

from ledger.domain import commands as cmd
from ledger.domain import errors as err

# PAY-B is older than PAY-A: the order is by the date received, not by id.
# PAY-C is fully allocated, so it has no credit left.
CREDIT = [
    opened(),
    invoiced("INV-1", "100.00"),
    received("PAY-C", "10.00", on=0),
    allocated("PAY-C", "INV-1", "10.00", on=0),
    received("PAY-B", "30.00", on=1),
    received("PAY-A", "50.00", on=2),
]


def refund(amount: str) -> cmd.IssueRefund:
    return cmd.IssueRefund(
        refund_id="REF-1", amount=Decimal(amount), reason="customer asked", refunded_on=day(5)
    )


def apply(amount: str, invoice_id: str = "INV-1") -> cmd.ApplyUnappliedCredit:
    return cmd.ApplyUnappliedCredit(
        invoice_id=invoice_id, amount=Decimal(amount), applied_on=day(6)
    )


def test_refund_draws_on_the_oldest_payment_first() -> None:
    events = when(CREDIT, refund("40.00"))

    assert events == [refunded("REF-1", "40.00", {"PAY-B": "30.00", "PAY-A": "10.00"})]
    state = then_state(CREDIT, *events)
    assert (state.payments["PAY-B"].refunded, state.payments["PAY-B"].unapplied) == (3000, 0)
    assert (state.payments["PAY-A"].refunded, state.payments["PAY-A"].unapplied) == (1000, 4000)
    assert (state.totals.refunded, state.totals.unapplied) == (4000, 4000)


def test_refund_of_all_unapplied_credit() -> None:
    events = when(CREDIT, refund("80.00"))
    assert then_state(CREDIT, *events).totals.unapplied == 0


def test_refund_of_more_than_the_unapplied_credit_is_rejected() -> None:
    rejected(
        CREDIT,
        refund("80.01"),
        err.InsufficientCredit,
        rule="insufficient-credit",
        field="amount",
    )


def test_refund_without_credit_is_rejected() -> None:
    rejected(
        [opened()],
        refund("0.01"),
        err.InsufficientCredit,
        rule="insufficient-credit",
        field="amount",
    )


@pytest.mark.parametrize("bad", ["0", "-1.00", "1.001"])
def test_refund_amount_must_be_a_positive_amount_of_the_currency(bad: str) -> None:
    rejected(
        CREDIT,
        refund(bad),
        err.InvalidAmount,
        rule="invalid-amount",
        field="amount",
    )


def test_apply_unapplied_credit_draws_on_the_oldest_payment_first() -> None:
    events = when(CREDIT, apply("60.00"))

    assert events == [
        allocated("PAY-B", "INV-1", "30.00", on=6),
        allocated("PAY-A", "INV-1", "30.00", on=6),
    ]
    state = then_state(CREDIT, *events)
    assert state.items["INV-1"].open_amount == 3000
    assert state.items["INV-1"].allocations == {"PAY-C": 1000, "PAY-B": 3000, "PAY-A": 3000}
    assert (state.totals.open, state.totals.unapplied) == (3000, 2000)


def test_apply_credit_to_a_disputed_invoice_is_allowed_when_asked_for() -> None:
    history = [*CREDIT, disputed("INV-1")]
    assert when(history, apply("10.00")) == [allocated("PAY-B", "INV-1", "10.00", on=6)]


def test_apply_more_than_is_open_is_rejected() -> None:
    history = [*CREDIT, received("PAY-D", "100.00", on=3)]
    rejected(
        history,
        apply("90.01"),
        err.OverAllocation,
        rule="over-allocation",
        field="amount",
    )


def test_apply_more_than_the_unapplied_credit_is_rejected() -> None:
    rejected(
        CREDIT,
        apply("80.01"),
        err.InsufficientCredit,
        rule="insufficient-credit",
        field="amount",
    )


def test_apply_credit_to_an_unknown_invoice_is_rejected() -> None:
    rejected(
        CREDIT,
        apply("1.00", invoice_id="INV-404"),
        err.UnknownInvoice,
        rule="unknown-invoice",
        field="invoice_id",
    )


@pytest.mark.parametrize("bad", ["0", "-1.00", "1.001"])
def test_apply_amount_must_be_a_positive_amount_of_the_currency(bad: str) -> None:
    rejected(
        CREDIT,
        apply(bad),
        err.InvalidAmount,
        rule="invalid-amount",
        field="amount",
    )


def test_credit_released_by_a_credit_note_can_be_refunded() -> None:
    history = [
        opened(),
        invoiced("INV-1", "100.00"),
        received("PAY-1", "100.00"),
        allocated("PAY-1", "INV-1", "100.00"),
        credited("25.00", share("PAY-1", "INV-1", "25.00"), on=3),
    ]
    assert when(history, refund("25.00")) == [refunded("REF-1", "25.00", {"PAY-1": "25.00"})]
    rejected(
        history,
        refund("25.01"),
        err.InsufficientCredit,
        rule="insufficient-credit",
        field="amount",
    )

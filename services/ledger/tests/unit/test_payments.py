"""Receiving payments: oldest-due-first or named allocations, the rest is unapplied."""

from __future__ import annotations

from decimal import Decimal

import pytest
from ledger_scenarios import (
    allocated,
    day,
    disputed,
    invoiced,
    opened,
    received,
    rejected,
    reversed_event,
    then_state,
    when,
)

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.commands import AllocationSpec

# Three open invoices; by due date (then issue date, then id): INV-3, INV-2, INV-1.
THREE_OPEN = [
    opened(),
    invoiced("INV-1", "100.00", issued=0, due=60),
    invoiced("INV-2", "50.00", issued=5, due=30),
    invoiced("INV-3", "30.00", issued=0, due=30),
]


def pay(
    amount: str,
    payment_id: str = "PAY-1",
    allocations: tuple[tuple[str, str | None], ...] | None = None,
) -> cmd.ReceivePayment:
    return cmd.ReceivePayment(
        payment_id=payment_id,
        amount=Decimal(amount),
        received_on=day(10),
        method="bank-transfer",
        reference="BANK-REF-1",
        allocations=None
        if allocations is None
        else tuple(
            AllocationSpec(invoice_id=i, amount=None if a is None else Decimal(a))
            for i, a in allocations
        ),
    )


OLDEST = "oldest_due_first"  # recorded when the payment names no invoices


def payment_received(
    amount: str, payment_id: str = "PAY-1", *, order: str | None = None
) -> ev.PaymentReceived:
    return ev.PaymentReceived(
        payment_id=payment_id,
        currency="SGD",
        amount=Decimal(amount),
        received_on=day(10),
        method="bank-transfer",
        reference="BANK-REF-1",
        allocation_order=order,
    )


def test_payment_is_allocated_oldest_due_first_and_a_partial_payment_leaves_an_invoice_open() -> (
    None
):
    events = when(THREE_OPEN, pay("100.00"))

    assert events == [
        payment_received("100.00", order=OLDEST),
        allocated("PAY-1", "INV-3", "30.00", on=10),
        allocated("PAY-1", "INV-2", "50.00", on=10),
        allocated("PAY-1", "INV-1", "20.00", on=10),
    ]
    state = then_state(THREE_OPEN, *events)
    assert state.items["INV-3"].status == "paid"
    assert state.items["INV-2"].status == "paid"
    assert (state.items["INV-1"].open_amount, state.items["INV-1"].status) == (8000, "open")
    assert state.items["INV-1"].allocations == {"PAY-1": 2000}
    assert state.payments["PAY-1"].allocations == {"INV-3": 3000, "INV-2": 5000, "INV-1": 2000}
    assert state.payments["PAY-1"].unapplied == 0
    assert (state.totals.received, state.totals.open, state.totals.unapplied) == (10000, 8000, 0)


def test_disputed_invoices_are_skipped_by_oldest_due_first() -> None:
    history = [*THREE_OPEN, disputed("INV-3")]

    events = when(history, pay("100.00"))

    assert events == [
        payment_received("100.00", order=OLDEST),
        allocated("PAY-1", "INV-2", "50.00", on=10),
        allocated("PAY-1", "INV-1", "50.00", on=10),
    ]
    assert then_state(history, *events).items["INV-3"].open_amount == 3000


def test_over_payment_becomes_unapplied_credit() -> None:
    events = when(THREE_OPEN, pay("200.00"))

    assert events == [
        payment_received("200.00", order=OLDEST),
        allocated("PAY-1", "INV-3", "30.00", on=10),
        allocated("PAY-1", "INV-2", "50.00", on=10),
        allocated("PAY-1", "INV-1", "100.00", on=10),
    ]
    state = then_state(THREE_OPEN, *events)
    assert state.payments["PAY-1"].unapplied == 2000
    assert (state.totals.open, state.totals.unapplied) == (0, 2000)


def test_payment_with_nothing_open_is_all_unapplied() -> None:
    history = [opened()]
    events = when(history, pay("10.00"))
    assert events == [payment_received("10.00", order=OLDEST)]
    assert then_state(history, *events).totals.unapplied == 1000


def test_payment_after_all_invoices_are_paid_is_not_allocated_to_paid_ones() -> None:
    history = [
        opened(),
        invoiced("INV-1", "10.00"),
        received("PAY-0", "10.00"),
        allocated("PAY-0", "INV-1", "10.00"),
    ]
    assert when(history, pay("5.00")) == [payment_received("5.00", order=OLDEST)]


def test_named_allocations_with_and_without_amount() -> None:
    events = when(THREE_OPEN, pay("100.00", allocations=(("INV-1", "60.00"), ("INV-2", None))))

    assert events == [
        payment_received("100.00"),
        allocated("PAY-1", "INV-1", "60.00", on=10),
        allocated("PAY-1", "INV-2", "40.00", on=10),  # as much as is left of the payment
    ]


def test_named_allocation_without_amount_takes_the_whole_open_amount() -> None:
    events = when(THREE_OPEN, pay("100.00", allocations=(("INV-2", None),)))

    assert events == [payment_received("100.00"), allocated("PAY-1", "INV-2", "50.00", on=10)]
    # what is not named stays unapplied: it is not spread over the other invoices
    assert then_state(THREE_OPEN, *events).payments["PAY-1"].unapplied == 5000


def test_named_allocation_may_pay_a_disputed_invoice() -> None:
    history = [*THREE_OPEN, disputed("INV-3")]
    events = when(history, pay("30.00", allocations=(("INV-3", None),)))
    assert events == [payment_received("30.00"), allocated("PAY-1", "INV-3", "30.00", on=10)]


def test_empty_allocation_list_leaves_the_whole_payment_unapplied() -> None:
    events = when(THREE_OPEN, pay("100.00", allocations=()))
    assert events == [payment_received("100.00")]


OVER = (err.OverAllocation, "over-allocation")


@pytest.mark.parametrize(
    ("allocations", "refusal", "field"),
    [
        ((("INV-2", "50.01"),), OVER, "allocations[0].amount"),
        ((("INV-1", "60.00"), ("INV-2", "50.00")), OVER, "allocations[1].amount"),
        ((("INV-1", "100.00"), ("INV-2", None)), OVER, "allocations[1]"),
        ((("INV-1", "10.00"), ("INV-1", "10.00")), OVER, "allocations[1].invoice_id"),
        (
            (("INV-1", "10.00"), ("INV-404", "10.00")),
            (err.UnknownInvoice, "unknown-invoice"),
            "allocations[1].invoice_id",
        ),
    ],
    ids=[
        "above-the-open-amount",
        "above-the-payment",
        "without-amount-when-the-payment-is-used-up",
        "an-invoice-named-twice",
        "an-unknown-invoice",
    ],
)
def test_named_allocations_that_do_not_fit_are_rejected(
    allocations: tuple[tuple[str, str | None], ...],
    refusal: tuple[type[err.LedgerError], str],
    field: str,
) -> None:
    error, rule = refusal
    rejected(THREE_OPEN, pay("100.00", allocations=allocations), error, rule=rule, field=field)


def test_named_allocation_without_amount_to_a_paid_invoice_is_rejected() -> None:
    history = [*THREE_OPEN, received("PAY-0", "30.00"), allocated("PAY-0", "INV-3", "30.00")]
    rejected(
        history,
        pay("10.00", allocations=(("INV-3", None),)),
        err.OverAllocation,
        rule="over-allocation",
        field="allocations[0]",
    )


@pytest.mark.parametrize("bad", ["0", "-1.00", "0.001"])
def test_named_allocation_amount_must_be_a_positive_amount_of_the_currency(bad: str) -> None:
    rejected(
        THREE_OPEN,
        pay("100.00", allocations=(("INV-1", bad),)),
        err.InvalidAmount,
        rule="invalid-amount",
        field="allocations[0].amount",
    )


@pytest.mark.parametrize("bad", ["0", "0.00", "-10.00", "10.001"])
def test_payment_amount_must_be_a_positive_amount_of_the_currency(bad: str) -> None:
    rejected(
        THREE_OPEN,
        pay(bad),
        err.InvalidAmount,
        rule="invalid-amount",
        field="amount",
    )


def test_jpy_payment_with_decimals_is_rejected() -> None:
    rejected(
        [opened("JPY")],
        pay("100.5"),
        err.InvalidAmount,
        rule="invalid-amount",
        field="amount",
    )


def test_duplicate_payment_id_is_rejected() -> None:
    history = [*THREE_OPEN, received("PAY-1", "1.00")]
    rejected(
        history,
        pay("100.00"),
        err.DuplicateId,
        rule="duplicate-id",
        field="payment_id",
    )


def test_duplicate_payment_id_is_rejected_even_when_it_was_reversed() -> None:
    history = [
        *THREE_OPEN,
        received("PAY-1", "1.00"),
        reversed_event("1.00", on=3),
    ]
    rejected(
        history,
        pay("100.00"),
        err.DuplicateId,
        rule="duplicate-id",
        field="payment_id",
    )

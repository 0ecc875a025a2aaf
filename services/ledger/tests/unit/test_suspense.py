"""Suspense: an unidentified receipt is held on a holding account until it is cleared."""

from __future__ import annotations

from decimal import Decimal

from ledger_scenarios import day, opened, received, rejected, then_state, when

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.postings import Chart, Posting, postings


def suspend(amount: str = "200.00", payment_id: str = "RCPT-1") -> cmd.SuspendReceipt:
    return cmd.SuspendReceipt(
        payment_id=payment_id,
        amount=Decimal(amount),
        received_on=day(3),
        method="bank_transfer",
        reference="E2E-9",
        payer="J DOE",
    )


def suspended(amount: str = "200.00") -> ev.ReceiptSuspended:
    return when([opened()], suspend(amount))[0]  # type: ignore[return-value]


def clear(amount: str | None, to: str | None = "CUST-1", clearance: str = "CL-1"):
    return cmd.ClearSuspense(
        clearance_id=clearance,
        payment_id="RCPT-1",
        amount=Decimal(amount) if amount else None,
        reason="identified by the clerk",
        cleared_on=day(5),
        to_account_id=to,
        to_payment_id="PAY-7" if to else None,
    )


def test_a_receipt_is_held_in_suspense_not_as_customer_credit() -> None:
    event = suspended()
    assert event == ev.ReceiptSuspended(
        payment_id="RCPT-1",
        currency="SGD",
        amount=Decimal("200.00"),
        received_on=day(3),
        method="bank_transfer",
        reference="E2E-9",
        payer="J DOE",
    )
    assert postings(event) == [Posting(Chart.CASH_CLEARING, 20000), Posting(Chart.SUSPENSE, -20000)]
    state = then_state([opened(), event])
    assert state.payments["RCPT-1"].unapplied == 20000
    assert state.totals.unapplied == 0  # nobody's credit


def test_clearing_moves_part_to_a_customer_and_keeps_the_trail() -> None:
    history = [opened(), suspended()]
    [event] = when(history, clear("150.00"))
    assert event == ev.SuspenseCleared(
        clearance_id="CL-1",
        payment_id="RCPT-1",
        currency="SGD",
        amount=Decimal("150.00"),
        cleared_on=day(5),
        reason="identified by the clerk",
        to_account_id="CUST-1",
        to_payment_id="PAY-7",
    )
    assert postings(event) == [Posting(Chart.SUSPENSE, 15000), Posting(Chart.CASH_CLEARING, -15000)]
    assert then_state(history, event).payments["RCPT-1"].unapplied == 5000


def test_a_refund_from_suspense_is_owed_to_the_payer() -> None:
    [event] = when([opened(), suspended()], clear(None, to=None))
    assert event.amount == Decimal("200.00")  # type: ignore[attr-defined]
    assert postings(event) == [
        Posting(Chart.SUSPENSE, 20000),
        Posting(Chart.REFUNDS_PAYABLE, -20000),
    ]


def test_more_than_is_held_cannot_be_cleared() -> None:
    history = [opened(), suspended()]
    rejected(history, clear("200.01"), err.SuspenseState, rule="suspense-state", field="amount")
    done = when(history, clear(None))
    rejected(
        [*history, *done],
        clear(None, clearance="CL-2"),
        err.SuspenseState,
        rule="suspense-state",
        field="amount",
    )


def test_a_customer_payment_is_not_cleared_from_suspense() -> None:
    history = [opened(), received("RCPT-1", "200.00")]
    rejected(history, clear(None), err.SuspenseState, rule="suspense-state", field="payment_id")


def test_a_suspended_receipt_pays_no_invoice_and_is_not_reversed_or_refunded() -> None:
    history = [opened(), suspended()]
    refund = cmd.IssueRefund(
        refund_id="R-1", amount=Decimal("1.00"), reason="x", refunded_on=day(6)
    )
    rejected(history, refund, err.InsufficientCredit, rule="insufficient-credit", field="amount")
    reverse = cmd.ReversePayment(payment_id="RCPT-1", reason="x", reversed_on=day(6))
    rejected(history, reverse, err.SuspenseState, rule="suspense-state", field="payment_id")


def test_a_clearance_names_both_account_and_payment_or_neither() -> None:
    half = cmd.ClearSuspense(
        clearance_id="CL-1",
        payment_id="RCPT-1",
        reason="x",
        cleared_on=day(5),
        to_account_id="CUST-1",
    )
    rejected(
        [opened(), suspended()],
        half,
        err.SuspenseState,
        rule="suspense-state",
        field="to_payment_id",
    )


def test_a_move_without_a_date_takes_the_receipts_value_date() -> None:
    """The customer's payment is received on the receipt's value date and both debit cash
    clearing: the clearance crediting it back falls on that day too, or cash clearing would
    count the money twice until it."""
    undated = clear("150.00").model_copy(update={"cleared_on": None})
    [event] = when([opened(), suspended()], undated)
    assert event.effective_date() == day(3)


def test_a_refund_names_the_day_it_leaves_suspense() -> None:
    undated = clear(None, to=None).model_copy(update={"cleared_on": None})
    rejected(
        [opened(), suspended()],
        undated,
        err.SuspenseState,
        rule="suspense-state",
        field="cleared_on",
    )

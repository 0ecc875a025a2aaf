"""Effective dates keep their order: nothing takes effect before what it acts on.

So a balance or aging asked "as of" any day sees only items that existed and money that
had arrived by then.
"""

from __future__ import annotations

from decimal import Decimal

from ledger_scenarios import allocated, day, invoiced, opened, received, rejected, when

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev

# INV-1 issued on day 10; PAY-1 (60.00) arrives on day 20, all of it credit.
HISTORY = [
    opened(),
    invoiced("INV-1", "100.00", issued=10, due=40),
    received("PAY-1", "60.00", on=20),
]


def test_a_payment_before_the_invoice_is_allocated_when_the_invoice_is_issued() -> None:
    history = [opened(), invoiced("INV-1", "100.00", issued=10, due=40)]
    out = when(
        history,
        cmd.ReceivePayment(
            payment_id="PAY-0", amount=Decimal("30.00"), received_on=day(3), method="card"
        ),
    )
    assert out[1] == allocated("PAY-0", "INV-1", "30.00", on=10)


def test_a_payment_after_the_invoice_is_allocated_on_its_own_date() -> None:
    out = when(
        HISTORY[:2],
        cmd.ReceivePayment(
            payment_id="PAY-0", amount=Decimal("30.00"), received_on=day(12), method="card"
        ),
    )
    assert out[1] == allocated("PAY-0", "INV-1", "30.00", on=12)


def test_reversal_before_the_payment_arrived_is_refused() -> None:
    rejected(
        HISTORY,
        cmd.ReversePayment(payment_id="PAY-1", reason="bounced", reversed_on=day(19)),
        err.InvalidDates,
        rule="invalid-dates",
        field="reversed_on",
    )
    out = when(HISTORY, cmd.ReversePayment(payment_id="PAY-1", reason="x", reversed_on=day(20)))
    assert isinstance(out[0], ev.PaymentReversed)


def test_corrections_before_the_invoice_are_refused() -> None:
    early = day(9)
    for command, field in [
        (
            cmd.IssueCreditNote(
                credit_note_id="CN-1",
                invoice_id="INV-1",
                amount=Decimal("1.00"),
                reason="x",
                issued_on=early,
            ),
            "issued_on",
        ),
        (
            cmd.PostAdjustment(
                adjustment_id="ADJ-1",
                invoice_id="INV-1",
                amount=Decimal("1.00"),
                reason="x",
                effective_on=early,
            ),
            "effective_on",
        ),
        (
            cmd.WriteOffInvoice(
                write_off_id="WO-1", invoice_id="INV-1", reason="x", written_off_on=early
            ),
            "written_off_on",
        ),
        (
            cmd.RecoverWriteOff(
                recovery_id="R-1",
                invoice_id="INV-1",
                amount=Decimal("1.00"),
                reason="x",
                recovered_on=early,
            ),
            "recovered_on",
        ),
        (
            cmd.ApplyUnappliedCredit(invoice_id="INV-1", amount=Decimal("1.00"), applied_on=early),
            "applied_on",
        ),
    ]:
        rejected(HISTORY, command, err.InvalidDates, rule="invalid-dates", field=field)


def test_credit_not_yet_received_cannot_be_refunded_or_applied() -> None:
    for command in [
        cmd.IssueRefund(refund_id="REF-1", amount=Decimal("1.00"), reason="x", refunded_on=day(19)),
        cmd.ApplyUnappliedCredit(invoice_id="INV-1", amount=Decimal("1.00"), applied_on=day(19)),
    ]:
        rejected(
            HISTORY, command, err.InsufficientCredit, rule="insufficient-credit", field="amount"
        )
    out = when(
        HISTORY,
        cmd.IssueRefund(
            refund_id="REF-1", amount=Decimal("60.00"), reason="x", refunded_on=day(20)
        ),
    )
    assert isinstance(out[0], ev.RefundIssued)

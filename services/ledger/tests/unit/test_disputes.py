"""Disputes: an invoice is disputed once and resolved once; disputed ones wait for payment."""

from __future__ import annotations

from decimal import Decimal

from ledger_scenarios import (
    OPEN,
    allocated,
    day,
    disputed,
    rejected,
    then_state,
    when,
)

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev

DISPUTED = [*OPEN, disputed("INV-1")]


def dispute(invoice_id: str = "INV-1") -> cmd.DisputeInvoice:
    return cmd.DisputeInvoice(invoice_id=invoice_id, reason="premium wrong", disputed_on=day(2))


def resolve(invoice_id: str = "INV-1") -> cmd.ResolveDispute:
    return cmd.ResolveDispute(
        invoice_id=invoice_id, resolution="premium confirmed", resolved_on=day(9)
    )


def test_dispute_an_invoice() -> None:
    events = when(OPEN, dispute())

    assert events == [disputed("INV-1")]
    item = then_state(OPEN, *events).items["INV-1"]
    assert (item.disputed, item.dispute_reason) == (True, "premium wrong")


def test_an_invoice_is_disputed_once() -> None:
    rejected(DISPUTED, dispute(), err.DisputeState, rule="dispute-state", field=None)


def test_resolve_a_dispute_and_the_invoice_is_paid_again_by_oldest_due_first() -> None:
    events = when(DISPUTED, resolve())

    assert events == [
        ev.DisputeResolved(invoice_id="INV-1", resolution="premium confirmed", resolved_on=day(9))
    ]
    history = [*DISPUTED, *events]
    item = then_state(history).items["INV-1"]
    assert (item.disputed, item.dispute_reason) == (False, None)

    pay = cmd.ReceivePayment(
        payment_id="PAY-1", amount=Decimal("10.00"), received_on=day(10), method="card"
    )
    assert when(history, pay)[1:] == [allocated("PAY-1", "INV-1", "10.00", on=10)]


def test_an_undisputed_invoice_cannot_be_resolved() -> None:
    rejected(OPEN, resolve(), err.DisputeState, rule="dispute-state", field=None)
    resolved = ev.DisputeResolved(invoice_id="INV-1", resolution="ok", resolved_on=day(3))
    rejected([*DISPUTED, resolved], resolve(), err.DisputeState, rule="dispute-state", field=None)


def test_a_resolved_invoice_can_be_disputed_again() -> None:
    resolved = ev.DisputeResolved(invoice_id="INV-1", resolution="ok", resolved_on=day(3))
    assert when([*DISPUTED, resolved], dispute()) == [disputed("INV-1")]


def test_disputes_on_unknown_invoices_are_rejected() -> None:
    rejected(
        OPEN, dispute("INV-404"), err.UnknownInvoice, rule="unknown-invoice", field="invoice_id"
    )
    rejected(
        OPEN, resolve("INV-404"), err.UnknownInvoice, rule="unknown-invoice", field="invoice_id"
    )

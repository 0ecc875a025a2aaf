"""Rules of suspense: receipts nobody can yet tell the owner of, held on a holding account.

A suspended receipt is posted to the suspense account of the chart (not to unapplied cash:
it is nobody's credit), so it never pays an invoice, is never refunded as customer credit
and is never reversed as a payment. It leaves suspense only by being cleared: moved to the
customer account it belongs to (the payment there carries the trail back to it) or
refunded to the payer, in one or several parts.

A move names no date by default: it takes the receipt's value date, the date the customer's
payment is received on. Both debit cash clearing, so the clearance crediting it back must
fall on the same day, or cash clearing would count the money twice until the later one.
"""

from __future__ import annotations

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.decide._rules import dec, not_before, positive
from ledger.domain.decide.core import decide_on
from ledger.domain.state import Account


@decide_on.register
def _(c: cmd.SuspendReceipt, state: Account) -> list[ev.Event]:
    if c.payment_id in state.payments:
        raise err.DuplicateId(f"payment {c.payment_id} already exists", field="payment_id")
    amount = positive(c.amount, state, "amount")
    return [
        ev.ReceiptSuspended(
            payment_id=c.payment_id,
            currency=state.currency,
            amount=dec(amount, state),
            received_on=c.received_on,
            method=c.method,
            reference=c.reference,
            payer=c.payer,
        )
    ]


@decide_on.register
def _(c: cmd.ClearSuspense, state: Account) -> list[ev.Event]:
    receipt = state.payments.get(c.payment_id)
    if receipt is None:
        raise err.UnknownPayment(f"no receipt {c.payment_id} on this account", field="payment_id")
    if not receipt.suspended:
        raise err.SuspenseState(
            f"{c.payment_id} is a customer payment, not a receipt held in suspense",
            field="payment_id",
        )
    if (c.to_account_id is None) != (c.to_payment_id is None):
        raise err.SuspenseState(
            "name both the account and the payment it moves to, or neither to refund",
            field="to_payment_id" if c.to_account_id else "to_account_id",
        )
    on = c.cleared_on
    if on is None:  # a move: on the value date the customer's payment takes from the receipt
        if c.to_account_id is None:
            raise err.SuspenseState("a refund names the day it leaves suspense", field="cleared_on")
        on = receipt.received_on
    held = receipt.unapplied
    amount = held if c.amount is None else positive(c.amount, state, "amount")
    if held == 0 or amount > held:
        raise err.SuspenseState(
            f"{dec(amount, state)} is more than the {dec(held, state)} still held in suspense",
            field="amount",
        )
    not_before(on, receipt.received_on, "cleared_on", "the receipt")
    return [
        ev.SuspenseCleared(
            clearance_id=c.clearance_id,
            payment_id=c.payment_id,
            currency=state.currency,
            amount=dec(amount, state),
            cleared_on=on,
            reason=c.reason,
            to_account_id=c.to_account_id,
            to_payment_id=c.to_payment_id,
        )
    ]

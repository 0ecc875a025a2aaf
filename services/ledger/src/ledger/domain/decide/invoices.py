"""Rules of invoices: issue, credit, adjust, write off, recover, dispute."""

from __future__ import annotations

from datetime import date

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.decide._rules import (
    dec,
    find_item,
    not_before,
    positive,
    reducible,
    release_for,
)
from ledger.domain.decide.core import decide_on
from ledger.domain.money import to_minor
from ledger.domain.state import Account, Item


@decide_on.register
def _(c: cmd.IssueInvoice, state: Account) -> list[ev.Event]:
    if c.invoice_id in state.items:
        raise err.DuplicateId(f"invoice {c.invoice_id} already exists", field="invoice_id")
    if not c.lines:
        raise err.InvalidInvoice("an invoice needs at least one line", field="lines")
    if c.due_date < c.issue_date:
        raise err.InvalidDates("due_date is before issue_date", field="due_date")
    lines: list[ev.InvoiceLine] = []
    total = 0
    for n, line in enumerate(c.lines):
        amount = positive(line.amount, state, f"lines[{n}].amount")
        total += amount
        lines.append(
            ev.InvoiceLine(
                line_no=n + 1,
                description=line.description,
                amount=dec(amount, state),
                product=line.product,
                policy_id=line.policy_id or c.policy_id,
                policy_year=line.policy_year,
                broker_id=line.broker_id or c.broker_id or state.broker_id,
            )
        )
    return [
        ev.InvoiceIssued(
            invoice_id=c.invoice_id,
            currency=state.currency,
            issue_date=c.issue_date,
            due_date=c.due_date,
            lines=tuple(lines),
            total=dec(total, state),
            policy_id=c.policy_id,
            broker_id=c.broker_id or state.broker_id,
        )
    ]


@decide_on.register
def _(c: cmd.IssueCreditNote, state: Account) -> list[ev.Event]:
    item = find_item(state, c.invoice_id)
    not_before(c.issued_on, item.issue_date, "issued_on", f"invoice {item.item_id}")
    amount = positive(c.amount, state, "amount")
    if amount > reducible(item):
        raise err.ExceedsOpenAmount(
            f"credit {dec(amount, state)} exceeds the {dec(reducible(item), state)} billed"
            f" and not written off on {c.invoice_id}",
            field="amount",
        )
    return [
        ev.CreditNoteIssued(
            credit_note_id=c.credit_note_id,
            invoice_id=c.invoice_id,
            currency=state.currency,
            amount=dec(amount, state),
            reason=c.reason,
            issued_on=c.issued_on,
            released=release_for(state, item, amount),
        )
    ]


@decide_on.register
def _(c: cmd.PostAdjustment, state: Account) -> list[ev.Event]:
    amount = to_minor(c.amount, state.currency, field="amount")
    if amount == 0:
        raise err.InvalidAmount("amount must not be zero", field="amount")
    released: tuple[ev.PaymentShare, ...] = ()
    if c.invoice_id is None:
        if amount < 0:
            raise err.InvalidAmount(
                "a negative adjustment must name the invoice it reduces", field="invoice_id"
            )
        if c.adjustment_id in state.items:
            raise err.DuplicateId(
                f"an item {c.adjustment_id} already exists", field="adjustment_id"
            )
    else:
        item = find_item(state, c.invoice_id)
        not_before(c.effective_on, item.issue_date, "effective_on", f"invoice {item.item_id}")
        if -amount > reducible(item):
            raise err.ExceedsOpenAmount(
                f"reduction {dec(-amount, state)} exceeds the {dec(reducible(item), state)}"
                f" billed and not written off on {c.invoice_id}",
                field="amount",
            )
        if amount < 0:
            released = release_for(state, item, -amount)
    return [
        ev.AdjustmentPosted(
            adjustment_id=c.adjustment_id,
            invoice_id=c.invoice_id,
            currency=state.currency,
            amount=dec(amount, state),
            reason=c.reason,
            effective_on=c.effective_on,
            released=released,
        )
    ]


@decide_on.register
def _(c: cmd.WriteOffInvoice, state: Account) -> list[ev.Event]:
    """A write-off; above ``approval_above``, only its request (four-eyes)."""
    item = find_item(state, c.invoice_id)
    not_before(c.written_off_on, item.issue_date, "written_off_on", f"invoice {item.item_id}")
    if item.open_amount <= 0:
        raise err.ExceedsOpenAmount(f"invoice {c.invoice_id} has nothing open to write off")
    amount = item.open_amount if c.amount is None else positive(c.amount, state, "amount")
    written_off = write_off_event(state, item, c.write_off_id, amount, c.reason, c.written_off_on)
    if c.approval_above is None or amount <= to_minor(c.approval_above, state.currency):
        return [written_off]
    if c.write_off_id in state.pending:
        raise err.ApprovalState(
            f"a request {c.write_off_id} is already pending", field="write_off_id"
        )
    return [
        ev.WriteOffRequested(
            request_id=c.write_off_id,
            invoice_id=c.invoice_id,
            currency=state.currency,
            amount=dec(amount, state),
            reason=c.reason,
            written_off_on=c.written_off_on,
            requested_by=c.requested_by,
        )
    ]


def write_off_event(
    state: Account, item: Item, write_off_id: str, amount: int, reason: str, on: date
) -> ev.InvoiceWrittenOff:
    """Writing ``amount`` off ``item``, if that much is open."""
    if amount > item.open_amount:
        raise err.ExceedsOpenAmount(
            f"write-off {dec(amount, state)} exceeds the open amount"
            f" {dec(item.open_amount, state)} of invoice {item.item_id}",
            field="amount",
        )
    return ev.InvoiceWrittenOff(
        write_off_id=write_off_id,
        invoice_id=item.item_id,
        currency=state.currency,
        amount=dec(amount, state),
        reason=reason,
        written_off_on=on,
    )


@decide_on.register
def _(c: cmd.RecoverWriteOff, state: Account) -> list[ev.Event]:
    item = find_item(state, c.invoice_id)
    not_before(c.recovered_on, item.issue_date, "recovered_on", f"invoice {item.item_id}")
    amount = positive(c.amount, state, "amount")
    recoverable = item.written_off - item.recovered
    if amount > recoverable:
        raise err.ExceedsOpenAmount(
            f"recovery {dec(amount, state)} exceeds the {dec(recoverable, state)} written off",
            field="amount",
        )
    return [
        ev.WriteOffRecovered(
            recovery_id=c.recovery_id,
            invoice_id=c.invoice_id,
            currency=state.currency,
            amount=dec(amount, state),
            reason=c.reason,
            recovered_on=c.recovered_on,
        )
    ]


@decide_on.register
def _(c: cmd.DisputeInvoice, state: Account) -> list[ev.Event]:
    item = find_item(state, c.invoice_id)
    if item.disputed:
        raise err.DisputeState(f"invoice {c.invoice_id} is already disputed")
    return [ev.InvoiceDisputed(invoice_id=c.invoice_id, reason=c.reason, disputed_on=c.disputed_on)]


@decide_on.register
def _(c: cmd.ResolveDispute, state: Account) -> list[ev.Event]:
    item = find_item(state, c.invoice_id)
    if not item.disputed:
        raise err.DisputeState(f"invoice {c.invoice_id} is not disputed")
    return [
        ev.DisputeResolved(
            invoice_id=c.invoice_id, resolution=c.resolution, resolved_on=c.resolved_on
        )
    ]

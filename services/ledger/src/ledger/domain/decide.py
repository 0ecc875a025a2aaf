"""``decide(command, state) -> events``: the rules of a receivables account.

Pure: no I/O, no clock. A rejected command raises a ``RuleViolation`` subclass naming
the rule and, where one is at fault, the field.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import singledispatch

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.money import exponent, to_decimal, to_minor
from ledger.domain.state import Account, Item, Payment


def decide(command: cmd.Command, state: Account | None) -> list[ev.Event]:
    if isinstance(command, cmd.OpenAccount):
        return _open_account(command, state)
    if state is None:
        raise err.AccountNotFound("no such account")
    return _decide(command, state)


def _open_account(c: cmd.OpenAccount, state: Account | None) -> list[ev.Event]:
    if state is not None:
        raise err.AccountExists(f"account {c.account_id} already exists", field="account_id")
    try:
        exponent(c.currency)
    except err.UnknownCurrency as e:
        raise err.UnknownCurrency(e.detail, field="currency") from None
    limit = to_minor(c.credit_limit, c.currency, field="credit_limit")
    if limit < 0:
        raise err.InvalidAmount("credit_limit must not be negative", field="credit_limit")
    if c.payment_terms_days < 0:
        raise err.InvalidDates(
            "payment_terms_days must not be negative", field="payment_terms_days"
        )
    return [
        ev.AccountOpened(
            account_id=c.account_id,
            name=c.name,
            currency=c.currency,
            jurisdiction=c.jurisdiction,
            credit_limit=to_decimal(limit, c.currency),
            payment_terms_days=c.payment_terms_days,
            broker_id=c.broker_id,
            opened_on=c.opened_on,
        )
    ]


@singledispatch
def _decide(command: cmd.Command, state: Account) -> list[ev.Event]:
    raise TypeError(f"no decide rule for {type(command).__name__}")


# -- helpers -------------------------------------------------------------------------


def _positive(amount: Decimal, state: Account, field: str) -> int:
    minor = to_minor(amount, state.currency, field=field)
    if minor <= 0:
        raise err.InvalidAmount(f"{field} must be positive", field=field)
    return minor


def _d(minor: int, state: Account) -> Decimal:
    return to_decimal(minor, state.currency)


def _item(state: Account, item_id: str, field: str = "invoice_id") -> Item:
    item = state.items.get(item_id)
    if item is None:
        raise err.UnknownInvoice(f"invoice {item_id} is not on this account", field=field)
    return item


def _credit_sources(state: Account, on: date) -> list[Payment]:
    """Payments received by ``on`` with unapplied money left, oldest first."""
    live = [p for p in state.payments.values() if p.unapplied > 0 and p.received_on <= on]
    return sorted(live, key=lambda p: (p.received_on, p.payment_id))


def _release_for(state: Account, item: Item, reduction: int) -> tuple[ev.PaymentShare, ...]:
    """Allocations to release when ``item`` is reduced by more than it has open.

    Newest allocations are released first; what they release becomes unapplied credit.
    """
    shortfall = reduction - item.open_amount
    shares: list[ev.PaymentShare] = []
    for payment_id, allocated in reversed(list(item.allocations.items())):
        if shortfall <= 0:
            break
        take = min(allocated, shortfall)
        shares.append(
            ev.PaymentShare(payment_id=payment_id, invoice_id=item.item_id, amount=_d(take, state))
        )
        shortfall -= take
    return tuple(shares)


def _not_before(on: date, earliest: date, field: str, what: str) -> None:
    """An event takes effect no earlier than what it acts on, so "as of" figures hold."""
    if on < earliest:
        raise err.InvalidDates(f"{field} {on} is before {what} ({earliest})", field=field)


def _reducible(item: Item) -> int:
    """How far an item can be credited: what was billed and is not written off."""
    return item.billed - (item.written_off - item.recovered)


# -- rules ---------------------------------------------------------------------------


@_decide.register
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
        amount = _positive(line.amount, state, f"lines[{n}].amount")
        total += amount
        lines.append(
            ev.InvoiceLine(
                line_no=n + 1,
                description=line.description,
                amount=_d(amount, state),
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
            total=_d(total, state),
            policy_id=c.policy_id,
            broker_id=c.broker_id or state.broker_id,
        )
    ]


@_decide.register
def _(c: cmd.ReceivePayment, state: Account) -> list[ev.Event]:
    if c.payment_id in state.payments:
        raise err.DuplicateId(f"payment {c.payment_id} already exists", field="payment_id")
    amount = _positive(c.amount, state, "amount")
    plan = (
        _oldest_due_first(state, amount)
        if c.allocations is None
        else _named_allocations(c.allocations, state, amount)
    )
    out: list[ev.Event] = [
        ev.PaymentReceived(
            payment_id=c.payment_id,
            currency=state.currency,
            amount=_d(amount, state),
            received_on=c.received_on,
            method=c.method,
            reference=c.reference,
        )
    ]
    out += [
        ev.PaymentAllocated(
            payment_id=c.payment_id,
            invoice_id=item_id,
            currency=state.currency,
            amount=_d(part, state),
            # money that came before the invoice is credit until the invoice is issued
            allocated_on=max(c.received_on, state.items[item_id].issue_date),
        )
        for item_id, part in plan
    ]
    return out


def _oldest_due_first(state: Account, amount: int) -> list[tuple[str, int]]:
    """Allocate to open, undisputed items by due date; disputed items are left alone."""
    candidates = sorted(
        (i for i in state.items.values() if i.open_amount > 0 and not i.disputed),
        key=lambda i: (i.due_date, i.issue_date, i.item_id),
    )
    plan: list[tuple[str, int]] = []
    left = amount
    for item in candidates:
        if left == 0:
            break
        part = min(item.open_amount, left)
        plan.append((item.item_id, part))
        left -= part
    return plan


def _named_allocations(
    specs: tuple[cmd.AllocationSpec, ...], state: Account, amount: int
) -> list[tuple[str, int]]:
    plan: list[tuple[str, int]] = []
    left = amount
    seen: set[str] = set()
    for n, spec in enumerate(specs):
        field = f"allocations[{n}]"
        item = _item(state, spec.invoice_id, f"{field}.invoice_id")
        if spec.invoice_id in seen:
            raise err.OverAllocation(
                f"invoice {spec.invoice_id} is named twice", field=f"{field}.invoice_id"
            )
        seen.add(spec.invoice_id)
        if spec.amount is None:
            part = min(item.open_amount, left)
            if part <= 0:
                raise err.OverAllocation(
                    f"nothing to allocate to invoice {spec.invoice_id}", field=field
                )
        else:
            part = _positive(spec.amount, state, f"{field}.amount")
            if part > item.open_amount:
                raise err.OverAllocation(
                    f"{_d(part, state)} exceeds the open amount {_d(item.open_amount, state)}"
                    f" of invoice {spec.invoice_id}",
                    field=f"{field}.amount",
                )
            if part > left:
                raise err.OverAllocation(
                    "allocations exceed the payment amount", field=f"{field}.amount"
                )
        plan.append((spec.invoice_id, part))
        left -= part
    return plan


@_decide.register
def _(c: cmd.ReversePayment, state: Account) -> list[ev.Event]:
    payment = state.payments.get(c.payment_id)
    if payment is None:
        raise err.UnknownPayment(
            f"payment {c.payment_id} is not on this account", field="payment_id"
        )
    if payment.reversed:
        raise err.PaymentAlreadyReversed(f"payment {c.payment_id} is already reversed")
    _not_before(c.reversed_on, payment.received_on, "reversed_on", "the payment's receipt")
    if payment.refunded:
        raise err.PaymentRefunded(
            f"payment {c.payment_id} was partly refunded and can no longer be reversed"
        )
    released = tuple(
        ev.PaymentShare(payment_id=c.payment_id, invoice_id=item_id, amount=_d(part, state))
        for item_id, part in payment.allocations.items()
        if part
    )
    return [
        ev.PaymentReversed(
            payment_id=c.payment_id,
            currency=state.currency,
            amount=_d(payment.amount, state),
            reason=c.reason,
            reversed_on=c.reversed_on,
            released=released,
        )
    ]


@_decide.register
def _(c: cmd.IssueCreditNote, state: Account) -> list[ev.Event]:
    item = _item(state, c.invoice_id)
    _not_before(c.issued_on, item.issue_date, "issued_on", f"invoice {item.item_id}")
    amount = _positive(c.amount, state, "amount")
    if amount > _reducible(item):
        raise err.ExceedsOpenAmount(
            f"credit {_d(amount, state)} exceeds the {_d(_reducible(item), state)} billed"
            f" and not written off on {c.invoice_id}",
            field="amount",
        )
    return [
        ev.CreditNoteIssued(
            credit_note_id=c.credit_note_id,
            invoice_id=c.invoice_id,
            currency=state.currency,
            amount=_d(amount, state),
            reason=c.reason,
            issued_on=c.issued_on,
            released=_release_for(state, item, amount),
        )
    ]


@_decide.register
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
        item = _item(state, c.invoice_id)
        _not_before(c.effective_on, item.issue_date, "effective_on", f"invoice {item.item_id}")
        if -amount > _reducible(item):
            raise err.ExceedsOpenAmount(
                f"reduction {_d(-amount, state)} exceeds the {_d(_reducible(item), state)}"
                f" billed and not written off on {c.invoice_id}",
                field="amount",
            )
        if amount < 0:
            released = _release_for(state, item, -amount)
    return [
        ev.AdjustmentPosted(
            adjustment_id=c.adjustment_id,
            invoice_id=c.invoice_id,
            currency=state.currency,
            amount=_d(amount, state),
            reason=c.reason,
            effective_on=c.effective_on,
            released=released,
        )
    ]


@_decide.register
def _(c: cmd.WriteOffInvoice, state: Account) -> list[ev.Event]:
    item = _item(state, c.invoice_id)
    _not_before(c.written_off_on, item.issue_date, "written_off_on", f"invoice {item.item_id}")
    if item.open_amount <= 0:
        raise err.ExceedsOpenAmount(f"invoice {c.invoice_id} has nothing open to write off")
    amount = item.open_amount if c.amount is None else _positive(c.amount, state, "amount")
    if amount > item.open_amount:
        raise err.ExceedsOpenAmount(
            f"write-off {_d(amount, state)} exceeds the open amount {_d(item.open_amount, state)}",
            field="amount",
        )
    return [
        ev.InvoiceWrittenOff(
            write_off_id=c.write_off_id,
            invoice_id=c.invoice_id,
            currency=state.currency,
            amount=_d(amount, state),
            reason=c.reason,
            written_off_on=c.written_off_on,
        )
    ]


@_decide.register
def _(c: cmd.RecoverWriteOff, state: Account) -> list[ev.Event]:
    item = _item(state, c.invoice_id)
    _not_before(c.recovered_on, item.issue_date, "recovered_on", f"invoice {item.item_id}")
    amount = _positive(c.amount, state, "amount")
    recoverable = item.written_off - item.recovered
    if amount > recoverable:
        raise err.ExceedsOpenAmount(
            f"recovery {_d(amount, state)} exceeds the {_d(recoverable, state)} written off",
            field="amount",
        )
    return [
        ev.WriteOffRecovered(
            recovery_id=c.recovery_id,
            invoice_id=c.invoice_id,
            currency=state.currency,
            amount=_d(amount, state),
            reason=c.reason,
            recovered_on=c.recovered_on,
        )
    ]


def _draw(state: Account, amount: int, on: date) -> list[tuple[str, int]]:
    """Take ``amount`` of the unapplied credit received by ``on``, oldest payment first."""
    sources = _credit_sources(state, on)
    available = sum(p.unapplied for p in sources)
    if amount > available:
        raise err.InsufficientCredit(
            f"{_d(amount, state)} exceeds the unapplied credit {_d(available, state)}"
            f" received by {on}",
            field="amount",
        )
    parts: list[tuple[str, int]] = []
    left = amount
    for payment in sources:
        if left == 0:
            break
        take = min(payment.unapplied, left)
        parts.append((payment.payment_id, take))
        left -= take
    return parts


@_decide.register
def _(c: cmd.IssueRefund, state: Account) -> list[ev.Event]:
    amount = _positive(c.amount, state, "amount")
    sources = tuple(
        ev.PaymentShare(payment_id=pid, amount=_d(part, state))
        for pid, part in _draw(state, amount, c.refunded_on)
    )
    return [
        ev.RefundIssued(
            refund_id=c.refund_id,
            currency=state.currency,
            amount=_d(amount, state),
            reason=c.reason,
            refunded_on=c.refunded_on,
            sources=sources,
        )
    ]


@_decide.register
def _(c: cmd.ApplyUnappliedCredit, state: Account) -> list[ev.Event]:
    item = _item(state, c.invoice_id)
    _not_before(c.applied_on, item.issue_date, "applied_on", f"invoice {item.item_id}")
    amount = _positive(c.amount, state, "amount")
    if amount > item.open_amount:
        raise err.OverAllocation(
            f"{_d(amount, state)} exceeds the open amount {_d(item.open_amount, state)}"
            f" of invoice {c.invoice_id}",
            field="amount",
        )
    return [
        ev.PaymentAllocated(
            payment_id=pid,
            invoice_id=c.invoice_id,
            currency=state.currency,
            amount=_d(part, state),
            allocated_on=c.applied_on,
        )
        for pid, part in _draw(state, amount, c.applied_on)
    ]


@_decide.register
def _(c: cmd.DisputeInvoice, state: Account) -> list[ev.Event]:
    item = _item(state, c.invoice_id)
    if item.disputed:
        raise err.DisputeState(f"invoice {c.invoice_id} is already disputed")
    return [ev.InvoiceDisputed(invoice_id=c.invoice_id, reason=c.reason, disputed_on=c.disputed_on)]


@_decide.register
def _(c: cmd.ResolveDispute, state: Account) -> list[ev.Event]:
    item = _item(state, c.invoice_id)
    if not item.disputed:
        raise err.DisputeState(f"invoice {c.invoice_id} is not disputed")
    return [
        ev.DisputeResolved(
            invoice_id=c.invoice_id, resolution=c.resolution, resolved_on=c.resolved_on
        )
    ]

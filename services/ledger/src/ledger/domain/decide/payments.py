"""Rules of money: payments, reversals, refunds, applying unapplied credit."""

from __future__ import annotations

from datetime import date

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.decide._rules import (
    credit_sources,
    dec,
    find_item,
    not_before,
    positive,
)
from ledger.domain.decide.core import decide_on
from ledger.domain.state import Account, Item


@decide_on.register
def _(c: cmd.ReceivePayment, state: Account) -> list[ev.Event]:
    if c.payment_id in state.payments:
        raise err.DuplicateId(f"payment {c.payment_id} already exists", field="payment_id")
    amount = positive(c.amount, state, "amount")
    auto = c.allocations is None
    if c.allocation_order is cmd.AllocationOrder.BY_POLICY and not c.policy_id:
        raise err.RuleViolation("by_policy allocation names a policy_id", field="policy_id")
    plan = (
        _in_order(state, amount, c.allocation_order, c.policy_id)
        if c.allocations is None
        else _named_allocations(c.allocations, state, amount)
    )
    out: list[ev.Event] = [
        ev.PaymentReceived(
            payment_id=c.payment_id,
            currency=state.currency,
            amount=dec(amount, state),
            received_on=c.received_on,
            method=c.method,
            reference=c.reference,
            allocation_order=c.allocation_order.value if auto else None,
            policy_id=c.policy_id if auto else None,
        )
    ]
    out += [
        ev.PaymentAllocated(
            payment_id=c.payment_id,
            invoice_id=item_id,
            currency=state.currency,
            amount=dec(part, state),
            # money that came before the invoice is credit until the invoice is issued
            allocated_on=max(c.received_on, state.items[item_id].issue_date),
        )
        for item_id, part in plan
    ]
    return out


def _in_order(
    state: Account, amount: int, order: cmd.AllocationOrder, policy_id: str | None
) -> list[tuple[str, int]]:
    """Allocate to open, undisputed items in ``order``; disputed items are left alone."""

    def first(i: Item) -> int:
        if order is cmd.AllocationOrder.FEES_FIRST:
            return 0 if i.kind == "debit_note" else 1
        if order is cmd.AllocationOrder.BY_POLICY:
            return 0 if i.policy_id == policy_id else 1
        return 0

    candidates = sorted(
        (i for i in state.items.values() if i.open_amount > 0 and not i.disputed),
        key=lambda i: (first(i), i.due_date, i.issue_date, i.item_id),
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
        item = find_item(state, spec.invoice_id, f"{field}.invoice_id")
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
            part = positive(spec.amount, state, f"{field}.amount")
            if part > item.open_amount:
                raise err.OverAllocation(
                    f"{dec(part, state)} exceeds the open amount {dec(item.open_amount, state)}"
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


@decide_on.register
def _(c: cmd.ReversePayment, state: Account) -> list[ev.Event]:
    payment = state.payments.get(c.payment_id)
    if payment is None:
        raise err.UnknownPayment(
            f"payment {c.payment_id} is not on this account", field="payment_id"
        )
    if payment.suspended:
        raise err.SuspenseState(
            f"{c.payment_id} is a receipt held in suspense: clear it instead", field="payment_id"
        )
    if payment.reversed:
        raise err.PaymentAlreadyReversed(f"payment {c.payment_id} is already reversed")
    not_before(c.reversed_on, payment.received_on, "reversed_on", "the payment's receipt")
    if payment.refunded:
        raise err.PaymentRefunded(
            f"payment {c.payment_id} was partly refunded and can no longer be reversed"
        )
    released = tuple(
        ev.PaymentShare(payment_id=c.payment_id, invoice_id=item_id, amount=dec(part, state))
        for item_id, part in sorted(payment.allocations.items())
        if part
    )
    return [
        ev.PaymentReversed(
            payment_id=c.payment_id,
            currency=state.currency,
            amount=dec(payment.amount, state),
            reason=c.reason,
            reversed_on=c.reversed_on,
            released=released,
        )
    ]


def _draw(state: Account, amount: int, on: date) -> list[tuple[str, int]]:
    """Take ``amount`` of the unapplied credit received by ``on``, oldest payment first."""
    sources = credit_sources(state, on)
    available = sum(p.unapplied for p in sources)
    if amount > available:
        raise err.InsufficientCredit(
            f"{dec(amount, state)} exceeds the unapplied credit {dec(available, state)}"
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


@decide_on.register
def _(c: cmd.IssueRefund, state: Account) -> list[ev.Event]:
    amount = positive(c.amount, state, "amount")
    sources = tuple(
        ev.PaymentShare(payment_id=pid, amount=dec(part, state))
        for pid, part in _draw(state, amount, c.refunded_on)
    )
    return [
        ev.RefundIssued(
            refund_id=c.refund_id,
            currency=state.currency,
            amount=dec(amount, state),
            reason=c.reason,
            refunded_on=c.refunded_on,
            sources=sources,
        )
    ]


@decide_on.register
def _(c: cmd.ApplyUnappliedCredit, state: Account) -> list[ev.Event]:
    item = find_item(state, c.invoice_id)
    not_before(c.applied_on, item.issue_date, "applied_on", f"invoice {item.item_id}")
    amount = positive(c.amount, state, "amount")
    if amount > item.open_amount:
        raise err.OverAllocation(
            f"{dec(amount, state)} exceeds the open amount {dec(item.open_amount, state)}"
            f" of invoice {c.invoice_id}",
            field="amount",
        )
    return [
        ev.PaymentAllocated(
            payment_id=pid,
            invoice_id=c.invoice_id,
            currency=state.currency,
            amount=dec(part, state),
            allocated_on=c.applied_on,
        )
        for pid, part in _draw(state, amount, c.applied_on)
    ]

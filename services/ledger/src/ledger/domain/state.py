"""The state of a customer account and ``evolve``, which folds events into it.

State keeps money in integer minor units. The application may load a *partial* state
(the account's header and totals, every open item and every payment with credit left,
plus the items and payments a command names); ``decide`` needs no more than that, so a
command never replays the account's whole history.

``evolve`` updates the state it is given and returns it: callers fold a fresh state or a
copy they own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import singledispatch

from ledger.domain import events as ev
from ledger.domain.money import to_minor


@dataclass
class Item:
    """An open item: an invoice, or a debit note raised by an adjustment."""

    item_id: str
    kind: str  # "invoice" | "debit_note"
    issue_date: date
    due_date: date
    amount: int
    adjusted: int = 0
    credited: int = 0
    written_off: int = 0
    recovered: int = 0
    paid: int = 0
    disputed: bool = False
    dispute_reason: str | None = None
    policy_id: str | None = None
    broker_id: str | None = None
    allocations: dict[str, int] = field(default_factory=dict)  # payment id -> amount

    @property
    def billed(self) -> int:
        """What the customer owes on the item before payments and write-offs."""
        return self.amount + self.adjusted - self.credited

    @property
    def open_amount(self) -> int:
        return self.billed - self.written_off + self.recovered - self.paid

    @property
    def status(self) -> str:
        if self.open_amount > 0:
            return "open"
        if self.written_off - self.recovered > 0 and self.paid < self.billed:
            return "written_off"
        if self.billed == 0 and self.paid == 0:
            return "cancelled"
        return "paid"


SUSPENSE_METHOD = "suspense"  # a receipt held in suspense, not a customer payment


@dataclass
class Payment:
    payment_id: str
    amount: int
    received_on: date
    method: str
    reference: str | None = None
    allocations: dict[str, int] = field(default_factory=dict)  # item id -> amount
    refunded: int = 0
    reversed: bool = False

    @property
    def suspended(self) -> bool:
        return self.method == SUSPENSE_METHOD

    @property
    def allocated(self) -> int:
        return sum(self.allocations.values())

    @property
    def unapplied(self) -> int:
        if self.reversed:
            return 0
        return self.amount - self.allocated - self.refunded


WRITE_OFF = "write_off"  # kinds of requests waiting for a second user's approval
CREDIT_LIMIT = "credit_limit"


@dataclass
class Request:
    """A change waiting for a second user (four-eyes): a write-off above the threshold or
    a new credit limit. ``amount`` is the write-off or the new limit, in minor units."""

    request_id: str
    kind: str
    requested_by: str
    requested_on: date
    reason: str
    amount: int
    invoice_id: str | None = None


@dataclass
class Totals:
    """Running totals of the account, in minor units."""

    invoiced: int = 0
    received: int = 0
    reversed: int = 0
    credited: int = 0
    adjusted: int = 0
    written_off: int = 0
    recovered: int = 0
    refunded: int = 0
    open: int = 0
    unapplied: int = 0


@dataclass
class Account:
    account_id: str
    name: str
    currency: str
    jurisdiction: str
    credit_limit: int
    payment_terms_days: int
    opened_on: date
    broker_id: str | None = None
    status: str = "active"
    version: int = 0
    items: dict[str, Item] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    totals: Totals = field(default_factory=Totals)
    pending: dict[str, Request] = field(default_factory=dict)  # request id -> request


def _m(amount: Decimal, currency: str) -> int:
    return to_minor(amount, currency)


def evolve(state: Account | None, event: ev.Event) -> Account:
    """Fold one event into the account state and return it."""
    if isinstance(event, ev.AccountOpened):
        return Account(
            account_id=event.account_id,
            name=event.name,
            currency=event.currency,
            jurisdiction=event.jurisdiction,
            credit_limit=to_minor(event.credit_limit, event.currency),
            payment_terms_days=event.payment_terms_days,
            opened_on=event.opened_on,
            broker_id=event.broker_id,
            version=1,
        )
    if state is None:
        raise ValueError(f"{event.event_type()} before AccountOpened")
    _apply(event, state)
    state.version += 1
    return state


@singledispatch
def _apply(event: ev.Event, state: Account) -> None:
    raise TypeError(f"no evolve rule for {type(event).__name__}")


def _release(state: Account, item: Item, released: tuple[ev.PaymentShare, ...]) -> None:
    for share in released:
        amount = _m(share.amount, state.currency)
        _take_allocation(state, share.payment_id, item.item_id, amount)
        item.paid -= amount
        state.totals.open += amount
        state.totals.unapplied += amount


def _take_allocation(state: Account, payment_id: str, item_id: str, amount: int) -> None:
    item = state.items.get(item_id)
    if item is not None:
        left = item.allocations.get(payment_id, 0) - amount
        if left:
            item.allocations[payment_id] = left
        else:
            item.allocations.pop(payment_id, None)
    payment = state.payments.get(payment_id)
    if payment is not None:
        left = payment.allocations.get(item_id, 0) - amount
        if left:
            payment.allocations[item_id] = left
        else:
            payment.allocations.pop(item_id, None)


@_apply.register
def _(event: ev.InvoiceIssued, state: Account) -> None:
    total = _m(event.total, state.currency)
    state.items[event.invoice_id] = Item(
        item_id=event.invoice_id,
        kind="invoice",
        issue_date=event.issue_date,
        due_date=event.due_date,
        amount=total,
        policy_id=event.policy_id,
        broker_id=event.broker_id,
    )
    state.totals.invoiced += total
    state.totals.open += total


@_apply.register
def _(event: ev.PaymentReceived, state: Account) -> None:
    amount = _m(event.amount, state.currency)
    state.payments[event.payment_id] = Payment(
        payment_id=event.payment_id,
        amount=amount,
        received_on=event.received_on,
        method=event.method,
        reference=event.reference,
    )
    state.totals.received += amount
    state.totals.unapplied += amount


@_apply.register
def _(event: ev.PaymentAllocated, state: Account) -> None:
    amount = _m(event.amount, state.currency)
    item = state.items[event.invoice_id]
    item.paid += amount
    item.allocations[event.payment_id] = item.allocations.get(event.payment_id, 0) + amount
    payment = state.payments.get(event.payment_id)
    if payment is not None:
        payment.allocations[event.invoice_id] = (
            payment.allocations.get(event.invoice_id, 0) + amount
        )
    state.totals.open -= amount
    state.totals.unapplied -= amount


@_apply.register
def _(event: ev.PaymentReversed, state: Account) -> None:
    amount = _m(event.amount, state.currency)
    for share in event.released:
        assert share.invoice_id is not None
        item = state.items.get(share.invoice_id)
        if item is not None:
            _release(state, item, (share,))
        else:  # item not loaded: the payment's side and the totals still move
            released = _m(share.amount, state.currency)
            _take_allocation(state, share.payment_id, share.invoice_id, released)
            state.totals.open += released
            state.totals.unapplied += released
    payment = state.payments.get(event.payment_id)
    if payment is not None:
        payment.reversed = True
    state.totals.reversed += amount
    state.totals.unapplied -= amount


@_apply.register
def _(event: ev.CreditNoteIssued, state: Account) -> None:
    amount = _m(event.amount, state.currency)
    item = state.items[event.invoice_id]
    item.credited += amount
    state.totals.credited += amount
    state.totals.open -= amount
    _release(state, item, event.released)


@_apply.register
def _(event: ev.AdjustmentPosted, state: Account) -> None:
    amount = _m(event.amount, state.currency)
    if event.invoice_id is None:
        state.items[event.adjustment_id] = Item(
            item_id=event.adjustment_id,
            kind="debit_note",
            issue_date=event.effective_on,
            due_date=event.effective_on,
            amount=amount,
        )
    else:
        item = state.items[event.invoice_id]
        item.adjusted += amount
        _release(state, item, event.released)
    state.totals.adjusted += amount
    state.totals.open += amount


@_apply.register
def _(event: ev.InvoiceWrittenOff, state: Account) -> None:
    amount = _m(event.amount, state.currency)
    state.items[event.invoice_id].written_off += amount
    state.totals.written_off += amount
    state.totals.open -= amount


@_apply.register
def _(event: ev.WriteOffRecovered, state: Account) -> None:
    amount = _m(event.amount, state.currency)
    state.items[event.invoice_id].recovered += amount
    state.totals.recovered += amount
    state.totals.open += amount


@_apply.register
def _(event: ev.RefundIssued, state: Account) -> None:
    for share in event.sources:
        payment = state.payments.get(share.payment_id)
        if payment is not None:
            payment.refunded += _m(share.amount, state.currency)
    amount = _m(event.amount, state.currency)
    state.totals.refunded += amount
    state.totals.unapplied -= amount


@_apply.register
def _(event: ev.ReceiptSuspended, state: Account) -> None:
    """Held as a payment of method ``suspense``: never customer credit (it is posted to
    the suspense account, not unapplied cash), so the account's totals do not move."""
    state.payments[event.payment_id] = Payment(
        payment_id=event.payment_id,
        amount=_m(event.amount, state.currency),
        received_on=event.received_on,
        method=SUSPENSE_METHOD,
        reference=event.reference,
    )


@_apply.register
def _(event: ev.SuspenseCleared, state: Account) -> None:
    payment = state.payments.get(event.payment_id)
    if payment is not None:
        payment.refunded += _m(event.amount, state.currency)


@_apply.register
def _(event: ev.WriteOffRequested, state: Account) -> None:
    state.pending[event.request_id] = Request(
        request_id=event.request_id,
        kind=WRITE_OFF,
        requested_by=event.requested_by,
        requested_on=event.written_off_on,
        reason=event.reason,
        amount=_m(event.amount, state.currency),
        invoice_id=event.invoice_id,
    )


@_apply.register
def _(event: ev.CreditLimitChangeRequested, state: Account) -> None:
    state.pending[event.request_id] = Request(
        request_id=event.request_id,
        kind=CREDIT_LIMIT,
        requested_by=event.requested_by,
        requested_on=event.requested_on,
        reason=event.reason,
        amount=_m(event.credit_limit, state.currency),
    )


@_apply.register
def _(event: ev.RequestDecided, state: Account) -> None:
    state.pending.pop(event.request_id, None)


@_apply.register
def _(event: ev.CreditLimitChanged, state: Account) -> None:
    state.credit_limit = _m(event.credit_limit, state.currency)


@_apply.register
def _(event: ev.InvoiceDisputed, state: Account) -> None:
    item = state.items[event.invoice_id]
    item.disputed = True
    item.dispute_reason = event.reason


@_apply.register
def _(event: ev.DisputeResolved, state: Account) -> None:
    item = state.items[event.invoice_id]
    item.disputed = False
    item.dispute_reason = None


def fold(events: list[ev.Event]) -> Account:
    state: Account | None = None
    for event in events:
        state = evolve(state, event)
    if state is None:
        raise ValueError("no events to fold")
    return state

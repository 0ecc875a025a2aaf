"""What dunning knows of an account's receivables: open items and payments.

A disposable projection of the ledger's events (``evolve`` folds one fact), kept in
minor units. ``dunning replay`` rebuilds it from the ledger's feed.

Every change of an item's amounts is also kept as a dated ``Move`` (the ledger event's
effective date), so ``Receivables.as_of(day)`` answers what was open and unpaid on a past
business date: a back-dated dunning run writes its notices from that, not from today.
"""

from __future__ import annotations

from datetime import date
from functools import singledispatch

from pydantic import BaseModel

from dunning.domain import ledger_facts as f
from dunning.domain.money import to_minor


class Move(BaseModel):
    """One change of an item's amounts, effective on ``on``."""

    on: date
    billed: int = 0
    written_off: int = 0
    paid: int = 0


class Item(BaseModel):
    """An invoice, or a debit note raised by an adjustment."""

    item_id: str
    kind: str = "invoice"
    issue_date: date
    due_date: date
    billed: int
    written_off: int = 0
    paid: int = 0
    disputed: bool = False
    policies: list[str] = []
    moves: list[Move] = []

    @property
    def open_amount(self) -> int:
        return self.billed - self.written_off - self.paid

    def change(self, on: date, *, billed: int = 0, written_off: int = 0, paid: int = 0) -> None:
        self.billed += billed
        self.written_off += written_off
        self.paid += paid
        self.moves.append(Move(on=on, billed=billed, written_off=written_off, paid=paid))

    def as_of(self, day: date) -> Item:
        """The item with only the moves effective on or before ``day``."""
        if not self.moves:  # stored before moves were kept: today's amounts
            return self
        seen = [m for m in self.moves if m.on <= day]
        return self.model_copy(
            update={
                "billed": sum(m.billed for m in seen),
                "written_off": sum(m.written_off for m in seen),
                "paid": sum(m.paid for m in seen),
                "moves": seen,
            }
        )


class PaymentRecord(BaseModel):
    payment_id: str
    amount: int
    received_on: date
    allocated: int = 0
    refunded: int = 0
    reversed: bool = False

    @property
    def unapplied(self) -> int:
        return 0 if self.reversed else self.amount - self.allocated - self.refunded


class Receivables(BaseModel):
    account_id: str
    name: str
    currency: str
    jurisdiction: str
    credit_limit: int
    broker_id: str | None = None
    items: dict[str, Item] = {}
    payments: dict[str, PaymentRecord] = {}

    def open_items(self) -> list[Item]:
        return [i for i in self.items.values() if i.open_amount > 0]

    def as_of(self, day: date) -> Receivables:
        """The items as they stood on business date ``day`` (issued by then, its moves)."""
        items = {k: i.as_of(day) for k, i in self.items.items() if i.issue_date <= day}
        return self.model_copy(update={"items": items})

    @property
    def unapplied(self) -> int:
        return sum(p.unapplied for p in self.payments.values())

    @property
    def balance(self) -> int:
        """Open items less unapplied credit: what the customer owes on balance."""
        return sum(i.open_amount for i in self.open_items()) - self.unapplied


def evolve(
    state: Receivables | None, fact: f.Fact, account_id: str, on: date | None = None
) -> Receivables:
    """Fold one ledger fact, effective on ``on``, into ``state`` (updated in place).

    ``on`` is the ledger event's effective date; without one the fact counts as always
    effective (``date.min``) where it names no date of its own.
    """
    if isinstance(fact, f.AccountOpened):
        return Receivables(
            account_id=fact.account_id,
            name=fact.name,
            currency=fact.currency,
            jurisdiction=fact.jurisdiction,
            credit_limit=to_minor(fact.credit_limit, fact.currency),
            broker_id=fact.broker_id,
        )
    if state is None:
        raise ValueError(f"{type(fact).__name__} for {account_id} before AccountOpened")
    _apply(fact, state, on or date.min)
    return state


def _m(state: Receivables, amount: str) -> int:
    return to_minor(amount, state.currency)


@singledispatch
def _apply(fact: f.Fact, state: Receivables, on: date) -> None:  # pragma: no cover
    raise TypeError(f"no rule for {type(fact).__name__}")


def _release(
    state: Receivables, shares: tuple[f.Share, ...], invoice_id: str | None, on: date
) -> None:
    for share in shares:
        amount = _m(state, share.amount)
        item = state.items.get(share.invoice_id or invoice_id or "")
        if item is not None:
            item.change(on, paid=-amount)
        payment = state.payments.get(share.payment_id)
        if payment is not None:
            payment.allocated -= amount


@_apply.register
def _(fact: f.InvoiceIssued, state: Receivables, on: date) -> None:
    policies = [line.policy_id for line in fact.lines if line.policy_id]
    if fact.policy_id:
        policies.append(fact.policy_id)
    item = Item(
        item_id=fact.invoice_id,
        issue_date=fact.issue_date,
        due_date=fact.due_date,
        billed=0,
        policies=sorted(set(policies)),
    )
    item.change(fact.issue_date, billed=_m(state, fact.total))
    state.items[fact.invoice_id] = item


@_apply.register
def _(fact: f.PaymentReceived, state: Receivables, on: date) -> None:
    state.payments[fact.payment_id] = PaymentRecord(
        payment_id=fact.payment_id, amount=_m(state, fact.amount), received_on=fact.received_on
    )


@_apply.register
def _(fact: f.PaymentAllocated, state: Receivables, on: date) -> None:
    amount = _m(state, fact.amount)
    state.items[fact.invoice_id].change(on, paid=amount)
    payment = state.payments.get(fact.payment_id)
    if payment is not None:
        payment.allocated += amount


@_apply.register
def _(fact: f.PaymentReversed, state: Receivables, on: date) -> None:
    _release(state, fact.released, None, on)
    payment = state.payments.get(fact.payment_id)
    if payment is not None:
        payment.reversed = True


@_apply.register
def _(fact: f.CreditNoteIssued, state: Receivables, on: date) -> None:
    state.items[fact.invoice_id].change(on, billed=-_m(state, fact.amount))
    _release(state, fact.released, fact.invoice_id, on)


@_apply.register
def _(fact: f.AdjustmentPosted, state: Receivables, on: date) -> None:
    amount = _m(state, fact.amount)
    if fact.invoice_id is None:
        note = Item(
            item_id=fact.adjustment_id,
            kind="debit_note",
            issue_date=fact.effective_on,
            due_date=fact.effective_on,
            billed=0,
        )
        note.change(fact.effective_on, billed=amount)
        state.items[fact.adjustment_id] = note
    else:
        state.items[fact.invoice_id].change(fact.effective_on, billed=amount)
        _release(state, fact.released, fact.invoice_id, fact.effective_on)


@_apply.register
def _(fact: f.InvoiceWrittenOff, state: Receivables, on: date) -> None:
    state.items[fact.invoice_id].change(on, written_off=_m(state, fact.amount))


@_apply.register
def _(fact: f.WriteOffRecovered, state: Receivables, on: date) -> None:
    state.items[fact.invoice_id].change(on, written_off=-_m(state, fact.amount))


@_apply.register
def _(fact: f.RefundIssued, state: Receivables, on: date) -> None:
    for share in fact.sources:
        payment = state.payments.get(share.payment_id)
        if payment is not None:
            payment.refunded += _m(state, share.amount)


@_apply.register
def _(fact: f.InvoiceDisputed, state: Receivables, on: date) -> None:
    state.items[fact.invoice_id].disputed = True


@_apply.register
def _(fact: f.DisputeResolved, state: Receivables, on: date) -> None:
    state.items[fact.invoice_id].disputed = False


@_apply.register
def _(fact: f.CreditLimitChanged, state: Receivables, on: date) -> None:
    state.credit_limit = _m(state, fact.credit_limit)

"""What dunning knows of an account's receivables: open items and payments.

A disposable projection of the ledger's events (``evolve`` folds one fact), kept in
minor units. ``dunning replay`` rebuilds it from the ledger's feed.
"""

from __future__ import annotations

from datetime import date
from functools import singledispatch

from pydantic import BaseModel

from dunning.domain import ledger_facts as f
from dunning.domain.money import to_minor


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

    @property
    def open_amount(self) -> int:
        return self.billed - self.written_off - self.paid


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

    @property
    def unapplied(self) -> int:
        return sum(p.unapplied for p in self.payments.values())

    @property
    def balance(self) -> int:
        """Open items less unapplied credit: what the customer owes on balance."""
        return sum(i.open_amount for i in self.open_items()) - self.unapplied


def evolve(state: Receivables | None, fact: f.Fact, account_id: str) -> Receivables:
    """Fold one ledger fact into ``state`` (updated in place and returned)."""
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
    _apply(fact, state)
    return state


def _m(state: Receivables, amount: str) -> int:
    return to_minor(amount, state.currency)


@singledispatch
def _apply(fact: f.Fact, state: Receivables) -> None:  # pragma: no cover - registry below
    raise TypeError(f"no rule for {type(fact).__name__}")


def _release(state: Receivables, shares: tuple[f.Share, ...], invoice_id: str | None) -> None:
    for share in shares:
        amount = _m(state, share.amount)
        item = state.items.get(share.invoice_id or invoice_id or "")
        if item is not None:
            item.paid -= amount
        payment = state.payments.get(share.payment_id)
        if payment is not None:
            payment.allocated -= amount


@_apply.register
def _(fact: f.InvoiceIssued, state: Receivables) -> None:
    policies = [line.policy_id for line in fact.lines if line.policy_id]
    if fact.policy_id:
        policies.append(fact.policy_id)
    state.items[fact.invoice_id] = Item(
        item_id=fact.invoice_id,
        issue_date=fact.issue_date,
        due_date=fact.due_date,
        billed=_m(state, fact.total),
        policies=sorted(set(policies)),
    )


@_apply.register
def _(fact: f.PaymentReceived, state: Receivables) -> None:
    state.payments[fact.payment_id] = PaymentRecord(
        payment_id=fact.payment_id, amount=_m(state, fact.amount), received_on=fact.received_on
    )


@_apply.register
def _(fact: f.PaymentAllocated, state: Receivables) -> None:
    amount = _m(state, fact.amount)
    state.items[fact.invoice_id].paid += amount
    payment = state.payments.get(fact.payment_id)
    if payment is not None:
        payment.allocated += amount


@_apply.register
def _(fact: f.PaymentReversed, state: Receivables) -> None:
    _release(state, fact.released, None)
    payment = state.payments.get(fact.payment_id)
    if payment is not None:
        payment.reversed = True


@_apply.register
def _(fact: f.CreditNoteIssued, state: Receivables) -> None:
    state.items[fact.invoice_id].billed -= _m(state, fact.amount)
    _release(state, fact.released, fact.invoice_id)


@_apply.register
def _(fact: f.AdjustmentPosted, state: Receivables) -> None:
    amount = _m(state, fact.amount)
    if fact.invoice_id is None:
        state.items[fact.adjustment_id] = Item(
            item_id=fact.adjustment_id,
            kind="debit_note",
            issue_date=fact.effective_on,
            due_date=fact.effective_on,
            billed=amount,
        )
    else:
        state.items[fact.invoice_id].billed += amount
        _release(state, fact.released, fact.invoice_id)


@_apply.register
def _(fact: f.InvoiceWrittenOff, state: Receivables) -> None:
    state.items[fact.invoice_id].written_off += _m(state, fact.amount)


@_apply.register
def _(fact: f.WriteOffRecovered, state: Receivables) -> None:
    state.items[fact.invoice_id].written_off -= _m(state, fact.amount)


@_apply.register
def _(fact: f.RefundIssued, state: Receivables) -> None:
    for share in fact.sources:
        payment = state.payments.get(share.payment_id)
        if payment is not None:
            payment.refunded += _m(state, share.amount)


@_apply.register
def _(fact: f.InvoiceDisputed, state: Receivables) -> None:
    state.items[fact.invoice_id].disputed = True


@_apply.register
def _(fact: f.DisputeResolved, state: Receivables) -> None:
    state.items[fact.invoice_id].disputed = False

"""Helpers shared by the decision rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.money import to_decimal, to_minor
from ledger.domain.state import Account, Item, Payment


def positive(amount: Decimal, state: Account, field: str) -> int:
    minor = to_minor(amount, state.currency, field=field)
    if minor <= 0:
        raise err.InvalidAmount(f"{field} must be positive", field=field)
    return minor


def dec(minor: int, state: Account) -> Decimal:
    return to_decimal(minor, state.currency)


def find_item(state: Account, item_id: str, field: str = "invoice_id") -> Item:
    item = state.items.get(item_id)
    if item is None:
        raise err.UnknownInvoice(f"invoice {item_id} is not on this account", field=field)
    return item


def credit_sources(state: Account, on: date) -> list[Payment]:
    """Payments received by ``on`` with unapplied money left, oldest first."""
    live = [
        p
        for p in state.payments.values()
        if p.unapplied > 0 and p.received_on <= on and not p.suspended
    ]
    return sorted(live, key=lambda p: (p.received_on, p.payment_id))


def release_for(state: Account, item: Item, reduction: int) -> tuple[ev.PaymentShare, ...]:
    """Allocations to release when ``item`` is reduced by more than it has open.

    The most recently received payments are released first (ties: the larger payment id);
    what they release becomes unapplied credit. The order depends on the payments, never
    on how a mapping happens to be ordered after a trip through storage.
    """
    shortfall = reduction - item.open_amount
    shares: list[ev.PaymentShare] = []
    for payment_id, allocated in sorted(
        item.allocations.items(), key=lambda kv: _received(state, kv[0]), reverse=True
    ):
        if shortfall <= 0:
            break
        take = min(allocated, shortfall)
        shares.append(
            ev.PaymentShare(payment_id=payment_id, invoice_id=item.item_id, amount=dec(take, state))
        )
        shortfall -= take
    return tuple(shares)


def _received(state: Account, payment_id: str) -> tuple[date, str]:
    payment = state.payments.get(payment_id)
    return (payment.received_on if payment else date.min, payment_id)


def not_before(on: date, earliest: date, field: str, what: str) -> None:
    """An event takes effect no earlier than what it acts on, so "as of" figures hold."""
    if on < earliest:
        raise err.InvalidDates(f"{field} {on} is before {what} ({earliest})", field=field)


def reducible(item: Item) -> int:
    """How far an item can be credited: what was billed and is not written off."""
    return item.billed - (item.written_off - item.recovered)

"""The largest totals an account holds: refused before anything is written.

Every amount is at most ``MAX_MINOR`` minor units, but amounts add up: ten invoices of
999,999,999,999,999.999 BHD on one account pass each check alone and together exceed
what a total can hold. :func:`check_totals` runs on the state a command leads to, so
the command that would cross the limit is refused with a named rule
(``account-total-limit``) and its events are never appended.
"""

from __future__ import annotations

from dataclasses import astuple, fields

from ledger.domain.errors import AccountTotalLimit
from ledger.domain.money import MAX_TOTAL, format_minor
from ledger.domain.state import Account, Item, Payment


def _too_large(values: tuple[int, ...]) -> bool:
    return any(abs(v) > MAX_TOTAL for v in values)


def _item_values(item: Item) -> tuple[int, ...]:
    return (item.amount, item.adjusted, item.credited, item.billed, item.paid, item.open_amount)


def check_totals(
    state: Account, items: set[str], payments: set[str], *, field: str | None = None
) -> None:
    """Refuse a state whose totals, or those of the named items and payments, exceed
    ``MAX_TOTAL`` minor units."""
    limit = format_minor(MAX_TOTAL, state.currency)
    if _too_large(astuple(state.totals)):
        over = next(
            f.name for f in fields(state.totals) if abs(getattr(state.totals, f.name)) > MAX_TOTAL
        )
        raise AccountTotalLimit(
            f"account {state.account_id}'s {over} would exceed {limit} {state.currency}, "
            "the largest total the ledger holds",
            field=field,
        )
    for item_id in sorted(items):
        item = state.items.get(item_id)
        if item is not None and _too_large(_item_values(item)):
            raise AccountTotalLimit(
                f"invoice {item_id} would exceed {limit} {state.currency}, the largest "
                "total the ledger holds",
                field=field,
            )
    for payment_id in sorted(payments):
        pay: Payment | None = state.payments.get(payment_id)
        if pay is not None and _too_large((pay.amount, pay.allocated, pay.unapplied)):
            raise AccountTotalLimit(
                f"payment {payment_id} would exceed {limit} {state.currency}", field=field
            )

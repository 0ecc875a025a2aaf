"""``decide(command, state) -> events``: the rules of a receivables account.

Pure: no I/O, no clock. A rejected command raises a ``RuleViolation`` subclass naming
the rule and, where one is at fault, the field.
"""

from __future__ import annotations

from functools import singledispatch

from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain import events as ev
from ledger.domain.money import exponent, to_decimal, to_minor
from ledger.domain.state import Account


def decide(command: cmd.Command, state: Account | None) -> list[ev.Event]:
    if isinstance(command, cmd.OpenAccount):
        return _open_account(command, state)
    if state is None:
        raise err.AccountNotFound("no such account")
    return decide_on(command, state)


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
def decide_on(command: cmd.Command, state: Account) -> list[ev.Event]:
    raise TypeError(f"no decide rule for {type(command).__name__}")

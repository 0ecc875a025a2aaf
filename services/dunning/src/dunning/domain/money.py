"""Exact money: integer minor units with an ISO 4217 currency, always together.

Amounts arrive as decimal strings ("1250.00"), live as integers of the currency's minor
unit and leave as decimal strings again. Exponents come from the ``iso4217`` package.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from iso4217 import Currency

from dunning.domain.errors import InvalidAmount

_PLAIN = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,6})?")


def exponent(currency: str) -> int:
    try:
        exp = Currency(currency).exponent
    except ValueError:
        raise InvalidAmount(
            f"{currency!r} is not an ISO 4217 currency code", field="currency"
        ) from None
    if exp is None:
        raise InvalidAmount(f"{currency} has no minor unit", field="currency")
    return int(exp)


def to_minor(amount: str | Decimal, currency: str, *, field: str = "amount") -> int:
    """A decimal string (or Decimal) to minor units; sub-minor precision is refused."""
    if isinstance(amount, str):
        if _PLAIN.fullmatch(amount) is None:
            raise InvalidAmount(f"{field}: {amount!r} is not a plain decimal string", field=field)
        try:
            value = Decimal(amount)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            raise InvalidAmount(f"{field}: {amount!r} is not a number", field=field) from None
    else:
        value = amount
    exp = exponent(currency)
    exact = value.quantize(Decimal(1).scaleb(-exp))
    if exact != value:
        raise InvalidAmount(
            f"{field}: {amount} has more than {exp} decimal places, the minor unit of {currency}",
            field=field,
        )
    return int(exact.scaleb(exp))


def format_minor(minor: int, currency: str) -> str:
    exp = exponent(currency)
    return str(Decimal(minor).scaleb(-exp).quantize(Decimal(1).scaleb(-exp)))

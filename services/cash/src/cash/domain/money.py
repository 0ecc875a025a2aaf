"""Exact money: integer minor units together with an ISO 4217 currency.

Statement files and JSON carry decimal strings; inside, amounts are integers of the
currency's minor unit (exponents from the maintained ``iso4217`` table).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from iso4217 import Currency

from cash.domain.errors import InvalidAmount, UnknownCurrency

DECIMAL = re.compile(r"[0-9]{1,15}(\.[0-9]{1,6})?")


def places(currency: str) -> int:
    """Digits of the minor unit: 2 for SGD, 0 for JPY, 3 for BHD."""
    try:
        exp = Currency(currency).exponent
    except ValueError:
        raise UnknownCurrency(f"{currency!r} is not an ISO 4217 currency code") from None
    if exp is None:
        raise UnknownCurrency(f"{currency} has no minor unit")
    return int(exp)


def minor_units(text: str | Decimal, currency: str, *, field: str = "amount") -> int:
    """``"1250.00"`` SGD -> 125000; refuses signs, exponents and sub-minor digits."""
    if isinstance(text, str):
        if not DECIMAL.fullmatch(text):
            raise InvalidAmount(f"{text!r} is not a decimal amount like 1250.00", field=field)
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits numbers only
            raise InvalidAmount(f"{text!r} is not a decimal amount", field=field) from None
    else:
        value = text
    scaled = value.scaleb(places(currency))
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(f"{value} has more decimal places than {currency} allows", field=field)
    return int(scaled)


def decimal_string(minor: int, currency: str) -> str:
    """125000 SGD -> ``"1250.00"`` (always the currency's exact number of places)."""
    exp = places(currency)
    return str(Decimal(minor).scaleb(-exp).quantize(Decimal(1).scaleb(-exp)))

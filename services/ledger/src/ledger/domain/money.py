"""Exact money: integer minor units with an ISO 4217 currency.

Amounts travel in JSON as decimal strings ("1250.00") and live in the domain and the
database as integers of the currency's minor unit. The exponent of every currency comes
from the ISO 4217 table of the ``iso4217`` package.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from iso4217 import Currency

from ledger.domain.errors import InvalidAmount, UnknownCurrency

# The largest amount, in minor units, the ledger holds: 18 digits, so every amount (and a
# sum of a few) fits a PostgreSQL BIGINT and converts to Decimal without rounding.
MAX_MINOR = 10**18 - 1
# The largest running total of an account or an item (invoiced, received, open ...): nine
# of the largest amounts, under PostgreSQL BIGINT's 9,223,372,036,854,775,807.
MAX_TOTAL = 9 * 10**18

_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


@lru_cache(maxsize=512)
def exponent(currency: str) -> int:
    """Number of minor-unit digits of ``currency`` (2 for SGD, 0 for JPY, 3 for BHD).

    Cached: every amount of every command asks (an unknown code raises, and is not cached).
    """
    try:
        exp = Currency(currency).exponent
    except ValueError:
        raise UnknownCurrency(f"{currency!r} is not an ISO 4217 currency code") from None
    if exp is None:
        raise UnknownCurrency(f"{currency} has no minor unit (not a money currency)")
    return int(exp)


def is_currency(code: str) -> bool:
    try:
        exponent(code)
    except UnknownCurrency:
        return False
    return True


def to_minor(amount: Decimal, currency: str, *, field: str = "amount") -> int:
    """Convert a decimal amount to minor units, refusing sub-minor precision."""
    exp = exponent(currency)
    if not amount.is_finite():
        raise InvalidAmount(f"{field} must be a finite number", field=field)
    # Decimal arithmetic rounds to the context's 28 digits, so bound the magnitude first
    # (comparisons are exact) and then check that quantising loses nothing.
    if amount.copy_abs() > Decimal(MAX_MINOR).scaleb(-exp):
        raise InvalidAmount(f"{field} {amount} is too large", field=field)
    exact = amount.quantize(Decimal(1).scaleb(-exp))
    if exact != amount:
        raise InvalidAmount(
            f"{field} {amount} has more than {exp} decimal places, the minor unit of {currency}",
            field=field,
        )
    return int(exact.scaleb(exp))


def to_decimal(minor: int, currency: str) -> Decimal:
    """Minor units back to a decimal with exactly the currency's number of places."""
    exp = exponent(currency)
    return Decimal(minor).scaleb(-exp).quantize(Decimal(1).scaleb(-exp))


def format_minor(minor: int, currency: str) -> str:
    return str(to_decimal(minor, currency))


def parse_decimal(text: str, *, field: str = "amount") -> Decimal:
    """Parse a JSON decimal string; floats and exotic notations are refused.

    Only plain ``-?digits[.digits]`` is accepted: no exponent, sign ``+``, spaces or ``_``.
    """
    if _PLAIN_DECIMAL.fullmatch(text) is None:
        raise InvalidAmount(f"{field} {text!r} is not a plain decimal string", field=field)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidAmount(f"{field} {text!r} is not a decimal number", field=field) from None
    if not value.is_finite():
        raise InvalidAmount(f"{field} must be a finite number", field=field)
    return value


def split_largest_remainder(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` minor units in proportion to ``weights``; the parts sum to ``total``.

    Each part gets the floor of its exact share; the units left over go one each to the
    parts with the largest fractional remainders (ties: earliest part first).
    """
    if not weights:
        raise ValueError("cannot split over no weights")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    floors = [magnitude * w // weight_sum for w in weights]
    remainders = [magnitude * w % weight_sum for w in weights]
    left = magnitude - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * part for part in floors]

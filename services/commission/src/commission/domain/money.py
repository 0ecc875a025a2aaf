"""Exact money: integer minor units with an ISO 4217 currency.

Amounts arrive as decimal strings ("1250.00") in ledger events and in JSON, and live as
integers of the currency's minor unit. Exponents come from the ``iso4217`` package.
Commission is a rate times a premium: that product is computed exactly (``Fraction``) and
rounded once, half up, to the minor unit; splits use largest remainder.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from iso4217 import Currency

from commission.domain.errors import InvalidAmount, UnknownCurrency

_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
MAX_MINOR = 10**18 - 1


def exponent(currency: str) -> int:
    """Number of minor-unit digits of ``currency`` (2 for SGD, 0 for JPY, 3 for BHD)."""
    try:
        exp = Currency(currency).exponent
    except ValueError:
        raise UnknownCurrency(f"{currency!r} is not an ISO 4217 currency code") from None
    if exp is None:
        raise UnknownCurrency(f"{currency} has no minor unit (not a money currency)")
    return int(exp)


def parse_decimal(text: str, *, field: str = "amount") -> Decimal:
    """A plain ``-?digits[.digits]`` string as a Decimal; anything else is refused."""
    if not isinstance(text, str) or _PLAIN_DECIMAL.fullmatch(text) is None:
        raise InvalidAmount(f"{field} {text!r} is not a plain decimal string", field=field)
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        raise InvalidAmount(f"{field} {text!r} is not a decimal number", field=field) from None


def to_minor(amount: Decimal | str, currency: str, *, field: str = "amount") -> int:
    """A decimal amount in minor units, refusing sub-minor precision."""
    value = parse_decimal(amount, field=field) if isinstance(amount, str) else amount
    exp = exponent(currency)
    if value.copy_abs() > Decimal(MAX_MINOR).scaleb(-exp):
        raise InvalidAmount(f"{field} {value} is too large", field=field)
    exact = value.quantize(Decimal(1).scaleb(-exp))
    if exact != value:
        raise InvalidAmount(
            f"{field} {value} has more than {exp} decimal places, the minor unit of {currency}",
            field=field,
        )
    return int(exact.scaleb(exp))


def to_decimal(minor: int, currency: str) -> Decimal:
    exp = exponent(currency)
    return Decimal(minor).scaleb(-exp).quantize(Decimal(1).scaleb(-exp))


def format_minor(minor: int, currency: str) -> str:
    """Minor units as the decimal string JSON carries ("150.00")."""
    return str(to_decimal(minor, currency))


def round_half_up(value: Fraction) -> int:
    """The nearest integer, halves away from zero (the usual rounding of money)."""
    magnitude = abs(value)
    rounded = int(magnitude + Fraction(1, 2))
    return rounded if value >= 0 else -rounded


def split_largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights``; the parts always sum to ``total``.

    Each part gets the floor of its exact share (of the magnitude); the units left over go
    one each to the largest fractional remainders, ties to the earliest part. The sign of
    ``total`` is carried by every part.
    """
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative and not all zero")
    weight_sum = sum(weights)
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    parts = [magnitude * w // weight_sum for w in weights]
    remainders = [magnitude * w % weight_sum for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[: magnitude - sum(parts)]:
        parts[i] += 1
    return [sign * p for p in parts]

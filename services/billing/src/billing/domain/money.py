"""Exact money: integer minor units with an ISO 4217 currency, always together.

Amounts arrive as decimal strings, live as integers of the currency's minor unit and
leave as decimal strings. Splits use largest remainder so the parts sum to the whole;
tax is rounded half up on the line total.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from iso4217 import Currency

from billing.domain.errors import InvalidAmount


def exponent(currency: str) -> int:
    try:
        exp = Currency(currency).exponent
    except ValueError:
        raise InvalidAmount(f"{currency!r} is not an ISO 4217 code", field="currency") from None
    if exp is None:
        raise InvalidAmount(f"{currency} has no minor unit", field="currency")
    return int(exp)


def to_minor(amount: Decimal, currency: str, *, field: str = "amount") -> int:
    """A decimal amount in minor units; more places than the currency has are refused."""
    exp = exponent(currency)
    scaled = amount.scaleb(exp)
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(
            f"{amount} has more than {exp} decimal places, the minor unit of {currency}",
            field=field,
        )
    return int(scaled)


def to_decimal(minor: int, currency: str) -> Decimal:
    exp = exponent(currency)
    return Decimal(minor).scaleb(-exp).quantize(Decimal(1).scaleb(-exp))


def fmt(minor: int, currency: str) -> str:
    """Minor units as the decimal string JSON carries ("150.00")."""
    return str(to_decimal(minor, currency))


def split(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` in proportion to ``weights`` (largest remainder, ties to the earliest
    part); the parts always sum to ``total`` and carry its sign."""
    weight_sum = sum(weights)
    if not weights or weight_sum <= 0 or min(weights) < 0:
        raise ValueError("weights must be non-negative with a positive sum")
    sign, magnitude = (-1 if total < 0 else 1), abs(total)
    parts = [magnitude * w // weight_sum for w in weights]
    left = magnitude - sum(parts)
    by_remainder = sorted(
        range(len(weights)), key=lambda i: (-(magnitude * weights[i] % weight_sum), i)
    )
    for i in by_remainder[:left]:
        parts[i] += 1
    return [sign * p for p in parts]


def tax_on(net: int, rate: Fraction) -> int:
    """Tax on a net amount in minor units, rounded half away from zero."""
    exact = net * rate
    magnitude = int(abs(exact) + Fraction(1, 2))
    return magnitude if exact >= 0 else -magnitude

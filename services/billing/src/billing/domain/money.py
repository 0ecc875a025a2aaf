"""Exact money: integer minor units with an ISO 4217 currency (the shared ``money`` kernel).

Amounts arrive as decimal strings, live as integers of the currency's minor unit and leave
as decimal strings (``fmt``); an unknown currency is an ``InvalidAmount`` of the field
``currency``. Splits use largest remainder so the parts sum to the whole; tax is rounded
half up on the line total.
"""

from __future__ import annotations

from fractions import Fraction

from billing.domain.errors import InvalidAmount
from money import MoneyRules, round_half_up
from money import split_largest_remainder as split

RULES = MoneyRules(invalid_amount=InvalidAmount, unknown_currency=InvalidAmount)
exponent, to_minor, to_decimal, fmt = (
    RULES.exponent,
    RULES.to_minor,
    RULES.to_decimal,
    RULES.format_minor,
)

__all__ = ["exponent", "fmt", "split", "tax_on", "to_decimal", "to_minor"]


def tax_on(net: int, rate: Fraction) -> int:
    """Tax on a net amount in minor units, rounded half away from zero."""
    return round_half_up(net * rate)

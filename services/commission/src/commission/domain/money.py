"""Exact money: integer minor units with an ISO 4217 currency (the shared ``money`` kernel).

Amounts arrive as decimal strings ("1250.00") in ledger events and in JSON, and live as
integers of the currency's minor unit; the kernel raises commission's own errors.
Commission is a rate times a premium: that product is computed exactly (``Fraction``) and
rounded once, half up, to the minor unit; splits use largest remainder.
"""

from __future__ import annotations

from commission.domain.errors import InvalidAmount, UnknownCurrency
from money import MAX_MINOR, MoneyRules, round_half_up, split_largest_remainder

RULES = MoneyRules(invalid_amount=InvalidAmount, unknown_currency=UnknownCurrency)
exponent, parse_decimal, to_minor = RULES.exponent, RULES.parse_decimal, RULES.to_minor
to_decimal, format_minor = RULES.to_decimal, RULES.format_minor

__all__ = [
    "MAX_MINOR",
    "exponent",
    "format_minor",
    "parse_decimal",
    "round_half_up",
    "split_largest_remainder",
    "to_decimal",
    "to_minor",
]

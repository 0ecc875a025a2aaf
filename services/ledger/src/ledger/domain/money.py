"""Exact money: integer minor units with an ISO 4217 currency (the shared ``money`` kernel).

Amounts travel in JSON as decimal strings ("1250.00") and live in the domain and the
database as integers of the currency's minor unit. The kernel raises the ledger's own
``InvalidAmount`` and ``UnknownCurrency``. ``MAX_MINOR`` is the largest amount the ledger
holds, ``MAX_TOTAL`` the largest running total of an account or an item (both fit a BIGINT).
"""

from __future__ import annotations

from ledger.domain.errors import InvalidAmount, UnknownCurrency
from money import MAX_MINOR, MAX_TOTAL, MoneyRules, split_largest_remainder

RULES = MoneyRules(invalid_amount=InvalidAmount, unknown_currency=UnknownCurrency)
exponent, is_currency, to_minor = RULES.exponent, RULES.is_currency, RULES.to_minor
to_decimal, format_minor, parse_decimal = RULES.to_decimal, RULES.format_minor, RULES.parse_decimal
formatter = RULES.formatter  # format_minor for one currency, for many amounts

__all__ = [
    "MAX_MINOR",
    "MAX_TOTAL",
    "exponent",
    "format_minor",
    "formatter",
    "is_currency",
    "parse_decimal",
    "split_largest_remainder",
    "to_decimal",
    "to_minor",
]

"""Exact money: integer minor units with an ISO 4217 currency (the shared ``money`` kernel).

Statement files and JSON carry unsigned decimal strings (a line's direction is said by its
credit/debit mark); inside, amounts are integers of the currency's minor unit.
"""

from __future__ import annotations

from cash.domain.errors import InvalidAmount, UnknownCurrency
from money import UNSIGNED_DECIMAL as DECIMAL
from money import MoneyRules

RULES = MoneyRules(invalid_amount=InvalidAmount, unknown_currency=UnknownCurrency, signed=False)
places, minor_units, decimal_string = RULES.exponent, RULES.to_minor, RULES.format_minor

__all__ = ["DECIMAL", "decimal_string", "minor_units", "places"]

"""Exact money: integer minor units with an ISO 4217 currency (the shared ``money`` kernel).

Amounts arrive as decimal strings ("1250.00"), live as integers of the currency's minor
unit and leave as decimal strings again; an unknown currency is an ``InvalidAmount`` of the
field ``currency``.
"""

from __future__ import annotations

from dunning.domain.errors import InvalidAmount
from money import MoneyRules

RULES = MoneyRules(invalid_amount=InvalidAmount, unknown_currency=InvalidAmount)
exponent, to_minor, format_minor = RULES.exponent, RULES.to_minor, RULES.format_minor

__all__ = ["exponent", "format_minor", "to_minor"]

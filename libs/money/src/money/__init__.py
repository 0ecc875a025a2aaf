"""Exact money for the receivables services, and nothing else (no I/O, no framework).

Integer minor units together with an ISO 4217 currency (exponents from the ``iso4217``
package); parsing and formatting of decimal strings; largest-remainder splits and half-up
rounding; the largest amount and total an int64 column holds. A pure library: a service's
domain may import it.
"""

from money.currency import iso_exponent
from money.errors import ErrorFactory, InvalidAmount, MoneyError, UnknownCurrency
from money.limits import INT64_MAX, MAX_MINOR, MAX_TOTAL, exceeds_total
from money.rules import RULES, SIGNED_DECIMAL, UNSIGNED_DECIMAL, MoneyRules
from money.split import round_half_up, split_largest_remainder
from money.value import CurrencyMismatch, Money

__all__ = [
    "INT64_MAX",
    "MAX_MINOR",
    "MAX_TOTAL",
    "RULES",
    "SIGNED_DECIMAL",
    "UNSIGNED_DECIMAL",
    "CurrencyMismatch",
    "ErrorFactory",
    "InvalidAmount",
    "Money",
    "MoneyError",
    "MoneyRules",
    "UnknownCurrency",
    "exceeds_total",
    "iso_exponent",
    "round_half_up",
    "split_largest_remainder",
]

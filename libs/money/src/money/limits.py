"""The largest amounts and totals, chosen so that everything fits a PostgreSQL BIGINT.

``MAX_MINOR``: the largest single amount, in minor units: 18 digits, so every amount (and a
sum of a few) fits an int64 and converts to ``Decimal`` without rounding.
``MAX_TOTAL``: the largest running total (of an account, an item, a statement ...): nine of
the largest amounts, under int64's 9,223,372,036,854,775,807.
"""

from __future__ import annotations

INT64_MAX = 2**63 - 1
MAX_MINOR = 10**18 - 1
MAX_TOTAL = 9 * 10**18


def exceeds_total(*values: int) -> bool:
    """Whether any of ``values`` (minor units) is beyond ``MAX_TOTAL`` either way."""
    return any(abs(v) > MAX_TOTAL for v in values)

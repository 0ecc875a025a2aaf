"""Amounts as the backends send them: decimal strings in the account's currency.

The console never does arithmetic on money it shows (the backends' figures are the truth);
it only reads them for display and compares them for charts, exactly, with ``Decimal``.
"""

from __future__ import annotations

import re
from decimal import Decimal

_AMOUNT = re.compile(r"^(-?)(\d+)(\.\d+)?$", re.ASCII)


def parse(amount: str) -> Decimal:
    """``"1250.00"`` -> ``Decimal("1250.00")``; anything else is a ``ValueError``."""
    if not isinstance(amount, str) or not _AMOUNT.fullmatch(amount):
        raise ValueError(f"not a decimal amount: {amount!r}")
    return Decimal(amount)


def grouped(amount: str) -> str:
    """Thousands separated for reading: ``"-1234567.50"`` -> ``"-1,234,567.50"``.

    Only the digits are regrouped; the string keeps its sign and its places exactly.
    """
    match = _AMOUNT.fullmatch(amount)
    if match is None:
        return amount
    sign, whole, fraction = match.groups()
    groups: list[str] = []
    while len(whole) > 3:
        whole, tail = whole[:-3], whole[-3:]
        groups.insert(0, tail)
    groups.insert(0, whole)
    return sign + ",".join(groups) + (fraction or "")


def is_zero(amount: str | None) -> bool:
    return amount is None or parse(amount) == 0


def is_negative(amount: str | None) -> bool:
    return amount is not None and parse(amount) < 0

"""Money in the ledger is the shared kernel (its conversions, parsing, splits and their
properties are tested in the money library) bound to the ledger's own errors. What the
ledger adds is tested here: a refusal is the ledger's ``InvalidAmount`` or
``UnknownCurrency``, naming its rule and the field at fault."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

import money
from ledger.domain.errors import InvalidAmount, LedgerError, UnknownCurrency
from ledger.domain.money import (
    MAX_MINOR,
    exponent,
    format_minor,
    is_currency,
    parse_decimal,
    split_largest_remainder,
    to_decimal,
    to_minor,
)


@pytest.mark.parametrize(
    ("refused", "error", "rule", "field"),
    [
        (lambda: exponent("XAU"), UnknownCurrency, "unknown-currency", "currency"),
        (lambda: to_minor("1.00", "sgd"), UnknownCurrency, "unknown-currency", "currency"),
        (
            lambda: to_minor(Decimal("10.001"), "SGD", field="lines[2].amount"),
            InvalidAmount,
            "invalid-amount",
            "lines[2].amount",
        ),
        (lambda: to_minor(Decimal("NaN"), "SGD"), InvalidAmount, "invalid-amount", "amount"),
        (lambda: to_minor(Decimal("1E+40"), "SGD"), InvalidAmount, "invalid-amount", "amount"),
        (
            lambda: to_minor(to_decimal(MAX_MINOR + 1, "SGD"), "SGD"),
            InvalidAmount,
            "invalid-amount",
            "amount",
        ),
        (
            lambda: parse_decimal("1e3", field="amount"),
            InvalidAmount,
            "invalid-amount",
            "amount",
        ),
    ],
)
def test_refusals_are_the_ledgers_errors_with_rule_and_field(
    refused: Callable[[], object], error: type[LedgerError], rule: str, field: str
) -> None:
    with pytest.raises(error) as caught:
        refused()
    assert caught.value.rule == rule
    assert caught.value.field == field


def test_the_ledger_converts_with_the_kernels_rules() -> None:
    assert (exponent("JPY"), exponent("BHD"), is_currency("XXX")) == (0, 3, False)
    assert to_minor(Decimal("10.5"), "SGD") == money.RULES.to_minor("10.5", "SGD") == 1050
    assert format_minor(1500, "BHD") == money.RULES.format_minor(1500, "BHD") == "1.500"
    assert to_decimal(-5, "SGD") == Decimal("-0.05")
    assert parse_decimal("-5.5") == Decimal("-5.5")
    assert split_largest_remainder(100, [1, 1, 1]) == [34, 33, 33]

"""Money in the ledger: ISO 4217 exponents, exact conversion to minor units, splits, all
raising the ledger's own errors (the kernel's split and round-trip properties are tested
in the money library)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.errors import InvalidAmount, UnknownCurrency
from ledger.domain.money import (
    exponent,
    format_minor,
    is_currency,
    parse_decimal,
    split_largest_remainder,
    to_decimal,
    to_minor,
)

FAST = settings(max_examples=300, deadline=None, database=None)


@pytest.mark.parametrize(
    ("currency", "places"),
    [
        ("SGD", 2),
        ("HKD", 2),
        ("USD", 2),
        ("JPY", 0),
        ("KRW", 0),
        ("BHD", 3),
        ("KWD", 3),
        ("CLF", 4),
    ],
)
def test_exponent_comes_from_the_iso_4217_table(currency: str, places: int) -> None:
    assert exponent(currency) == places
    assert is_currency(currency)


@pytest.mark.parametrize("code", ["ZZZ", "sgd", "", "SG", "SGDX", "XAU", "XXX", "XDR"])
def test_codes_that_are_not_money_currencies_are_refused(code: str) -> None:
    # XAU (gold), XXX (no currency) and XDR are in ISO 4217 but have no minor unit.
    with pytest.raises(UnknownCurrency) as caught:
        exponent(code)
    assert caught.value.rule == "unknown-currency"
    assert not is_currency(code)


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("10.00", "SGD", 1000),
        ("10", "SGD", 1000),
        ("10.5", "SGD", 1050),
        ("10.000", "SGD", 1000),  # trailing zeros are not extra precision
        ("-3.25", "SGD", -325),
        ("1500", "JPY", 1500),
        ("1500.0", "JPY", 1500),
        ("10.001", "BHD", 10001),
        ("0.0001", "CLF", 1),
        ("-0.00", "SGD", 0),
        ("1E+3", "SGD", 100000),
    ],
)
def test_to_minor_is_exact(amount: str, currency: str, minor: int) -> None:
    assert to_minor(Decimal(amount), currency) == minor


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("10.001", "SGD"), ("0.5", "JPY"), ("1.0001", "BHD"), ("0.001", "HKD")],
)
def test_to_minor_refuses_sub_minor_precision_and_names_the_field(
    amount: str, currency: str
) -> None:
    with pytest.raises(InvalidAmount) as caught:
        to_minor(Decimal(amount), currency, field="lines[2].amount")
    assert caught.value.rule == "invalid-amount"
    assert caught.value.field == "lines[2].amount"


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_to_minor_refuses_non_finite_amounts(amount: str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        to_minor(Decimal(amount), "SGD")
    assert caught.value.field == "amount"


@pytest.mark.parametrize(
    "amount",
    [
        # More significant digits than the default decimal context holds: these used to
        # be rounded silently into a different amount instead of being refused.
        "123456789012345678901234567.891",
        "1.000000000000000000000000000000001",
        "12345678901234567890123456789",
        "1E+40",
        "1E+999999999",
        "1E-999999999",
    ],
)
def test_to_minor_never_rounds_an_amount_it_cannot_hold_exactly(amount: str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        to_minor(Decimal(amount), "SGD")
    assert caught.value.rule == "invalid-amount"


def test_the_largest_amount_converts_both_ways() -> None:
    largest = Decimal("9999999999999999.99")
    minor = to_minor(largest, "SGD")
    assert minor == 999999999999999999
    assert to_decimal(minor, "SGD") == largest
    with pytest.raises(InvalidAmount):
        to_minor(largest + Decimal("0.01"), "SGD")


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (1000, "SGD", "10.00"),
        (5, "SGD", "0.05"),
        (-5, "SGD", "-0.05"),
        (1500, "JPY", "1500"),
        (1500, "BHD", "1.500"),
        (0, "BHD", "0.000"),
    ],
)
def test_to_decimal_has_exactly_the_currency_places(minor: int, currency: str, text: str) -> None:
    assert str(to_decimal(minor, currency)) == text
    assert format_minor(minor, currency) == text


@given(
    minor=st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1),
    currency=st.sampled_from(["SGD", "JPY", "BHD", "CLF"]),
)
@FAST
def test_minor_units_round_trip_through_decimal(minor: int, currency: str) -> None:
    assert to_minor(to_decimal(minor, currency), currency) == minor
    assert to_minor(parse_decimal(format_minor(minor, currency)), currency) == minor


@pytest.mark.parametrize("text", ["1250.00", "0", "-5.5", "1250", "0.001"])
def test_parse_decimal_accepts_plain_decimal_strings(text: str) -> None:
    assert parse_decimal(text) == Decimal(text)


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "",
        "NaN",
        "Infinity",
        "-inf",
        "1e3",
        "1E-2",
        " 1.00",
        "1.00 ",
        "1_000",
        "+1.00",
        "1,00",
        "0x10",
        ".5",
        "5.",
    ],
)
def test_parse_decimal_refuses_anything_but_plain_decimal_strings(text: str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        parse_decimal(text, field="amount")
    assert caught.value.rule == "invalid-amount"
    assert caught.value.field == "amount"


# -- largest remainder ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (100, [1, 1, 1], [34, 33, 33]),  # tie: earliest part gets the unit
        (-100, [1, 1, 1], [-34, -33, -33]),
        (10, [1, 2, 7], [1, 2, 7]),
        (1, [1, 1], [1, 0]),
        (7, [0, 1, 0], [0, 7, 0]),
        (0, [3, 5], [0, 0]),
        (101, [1, 3], [25, 76]),  # exact 25.25 / 75.75: the larger remainder wins
    ],
)
def test_split_largest_remainder_examples(total: int, weights: list[int], parts: list[int]) -> None:
    assert split_largest_remainder(total, weights) == parts


@pytest.mark.parametrize(
    ("weights", "reason"),
    [([], "no weights"), ([0, 0], "all be zero"), ([1, -1], "must not be negative")],
)
def test_split_refuses_weights_it_cannot_split_over(weights: list[int], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        split_largest_remainder(100, weights)

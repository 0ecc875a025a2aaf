"""The money kernel: exponents, exact conversion, parse/format round trips, splits, limits."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from money import (
    MAX_MINOR,
    MAX_TOTAL,
    RULES,
    CurrencyMismatch,
    InvalidAmount,
    Money,
    MoneyRules,
    UnknownCurrency,
    aging,
    exceeds_total,
    round_half_up,
    split_largest_remainder,
)

FAST = settings(max_examples=300, deadline=None, database=None)
CURRENCIES = st.sampled_from(["SGD", "HKD", "JPY", "BHD", "CLF", "KRW"])


class ServiceError(Exception):
    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field


class BadAmount(ServiceError):
    pass


class BadCurrency(ServiceError):
    pass


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
def test_exponents_come_from_the_iso_4217_table(currency: str, places: int) -> None:
    assert RULES.exponent(currency) == places
    assert RULES.is_currency(currency)


@pytest.mark.parametrize("code", ["ZZZ", "sgd", "", "SG", "SGDX", "XAU", "XXX", "XDR"])
def test_codes_that_are_not_money_currencies_are_refused(code: str) -> None:
    # XAU (gold), XXX (no currency) and XDR are in ISO 4217 but have no minor unit.
    with pytest.raises(UnknownCurrency) as caught:
        RULES.exponent(code)
    assert caught.value.field == "currency"
    assert not RULES.is_currency(code)


def test_a_service_gets_its_own_error_classes_with_the_field_at_fault() -> None:
    rules = MoneyRules(invalid_amount=BadAmount, unknown_currency=BadCurrency)
    with pytest.raises(BadAmount) as amount:
        rules.to_minor("1.001", "SGD", field="lines[0].amount")
    assert amount.value.field == "lines[0].amount"
    assert "more decimal places than SGD allows" in str(amount.value)
    with pytest.raises(BadCurrency) as currency:
        rules.to_minor("1.00", "ZZZ")
    assert currency.value.field == "currency"


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
    ],
)
def test_to_minor_is_exact_for_strings_and_decimals(amount: str, currency: str, minor: int) -> None:
    assert RULES.to_minor(amount, currency) == minor
    assert RULES.to_minor(Decimal(amount), currency) == minor


def test_a_decimal_in_exponent_form_is_exact_too() -> None:
    assert RULES.to_minor(Decimal("1E+3"), "SGD") == 100000


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("10.001", "SGD"), ("0.5", "JPY"), ("1.0001", "BHD"), ("0.001", "HKD")],
)
def test_to_minor_refuses_sub_minor_precision_and_names_the_field(
    amount: str, currency: str
) -> None:
    with pytest.raises(InvalidAmount) as caught:
        RULES.to_minor(Decimal(amount), currency, field="lines[2].amount")
    assert caught.value.field == "lines[2].amount"


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_to_minor_refuses_non_finite_amounts(amount: str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        RULES.to_minor(Decimal(amount), "SGD")
    assert caught.value.field == "amount"


@pytest.mark.parametrize(
    "amount",
    [
        # More significant digits than the default decimal context holds: never rounded
        # silently into a different amount, refused.
        "123456789012345678901234567.891",
        "1.000000000000000000000000000000001",
        "12345678901234567890123456789",
        "1E+40",
        "1E+999999999",
        "1E-999999999",
    ],
)
def test_to_minor_refuses_what_it_cannot_hold_exactly(amount: str) -> None:
    with pytest.raises(InvalidAmount):
        RULES.to_minor(Decimal(amount), "SGD")


@pytest.mark.parametrize("text", ["1250.00", "0", "-5.5", "1250", "0.001"])
def test_plain_decimal_strings_parse_exactly(text: str) -> None:
    assert RULES.parse_decimal(text) == Decimal(text)


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
def test_only_plain_decimal_strings_parse(text: str) -> None:
    with pytest.raises(InvalidAmount) as caught:
        RULES.parse_decimal(text, field="amount")
    assert caught.value.field == "amount"


def test_unsigned_rules_refuse_a_minus() -> None:
    unsigned = MoneyRules(signed=False)
    assert unsigned.to_minor("80.00", "SGD") == 8000
    with pytest.raises(InvalidAmount, match="unsigned"):
        unsigned.to_minor("-80.00", "SGD")


def test_the_largest_amount_converts_both_ways_and_one_unit_more_is_refused() -> None:
    assert MAX_MINOR == 999999999999999999
    assert RULES.to_minor("9999999999999999.99", "SGD") == MAX_MINOR
    assert RULES.format_minor(MAX_MINOR, "SGD") == "9999999999999999.99"
    assert RULES.to_decimal(MAX_MINOR, "SGD") == Decimal("9999999999999999.99")
    with pytest.raises(InvalidAmount, match="too large"):
        RULES.to_minor("10000000000000000.00", "SGD")
    with pytest.raises(InvalidAmount, match="too large"):
        RULES.to_minor(Decimal("9999999999999999.99") + Decimal("0.01"), "SGD")


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
    assert str(RULES.to_decimal(minor, currency)) == text
    assert RULES.format_minor(minor, currency) == text


def test_totals_stay_within_an_int64() -> None:
    assert MAX_TOTAL < 2**63 - 1
    assert not exceeds_total(MAX_TOTAL, -MAX_TOTAL, 0)
    assert exceeds_total(0, MAX_TOTAL + 1)
    assert exceeds_total(-MAX_TOTAL - 1)


@given(minor=st.integers(min_value=-MAX_MINOR, max_value=MAX_MINOR), currency=CURRENCIES)
@FAST
def test_format_then_parse_gives_back_the_same_minor_units(minor: int, currency: str) -> None:
    text = RULES.format_minor(minor, currency)
    assert RULES.to_minor(text, currency) == minor
    assert RULES.to_minor(RULES.parse_decimal(text), currency) == minor
    assert RULES.to_minor(RULES.to_decimal(minor, currency), currency) == minor
    places = RULES.exponent(currency)
    assert len(text.partition(".")[2]) == places


@given(minor=st.integers(min_value=-MAX_MINOR, max_value=MAX_MINOR), currency=CURRENCIES)
@FAST
def test_formatting_is_the_decimal_with_the_currencys_places(minor: int, currency: str) -> None:
    exact = str(RULES.to_decimal(minor, currency))
    assert RULES.format_minor(minor, currency) == exact
    assert RULES.formatter(currency)(minor) == exact


@given(
    whole=st.integers(min_value=0, max_value=10**12),
    fraction=st.integers(min_value=0, max_value=99),
    negative=st.booleans(),
)
@FAST
def test_parse_then_format_gives_back_the_canonical_string(
    whole: int, fraction: int, negative: bool
) -> None:
    text = f"{'-' if negative and (whole or fraction) else ''}{whole}.{fraction:02d}"
    assert RULES.format_minor(RULES.to_minor(text, "SGD"), "SGD") == text
    assert str(Money.parse(text, "SGD")) == text


@pytest.mark.parametrize(
    ("total", "weights", "parts"),
    [
        (100, [1, 1, 1], [34, 33, 33]),  # tie: earliest part gets the unit
        (-100, [1, 1, 1], [-34, -33, -33]),
        (10, [1, 2, 7], [1, 2, 7]),
        (1, [1, 1], [1, 0]),
        (7, [0, 1, 0], [0, 7, 0]),
        (0, [3, 5], [0, 0]),
        (101, [1, 3], [25, 76]),  # 25.25 / 75.75: the larger remainder wins
    ],
)
def test_split_examples(total: int, weights: list[int], parts: list[int]) -> None:
    assert split_largest_remainder(total, weights) == parts


@pytest.mark.parametrize(
    ("weights", "reason"),
    [
        ([], "no weights"),
        ([0, 0], "positive sum"),
        ([0, 0], "all be zero"),
        ([1, -1], "must not be negative"),
    ],
)
def test_split_refuses_weights_it_cannot_split_over(weights: list[int], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        split_largest_remainder(100, weights)


@given(
    total=st.integers(min_value=-(10**18), max_value=10**18),
    weights=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12).filter(
        lambda ws: sum(ws) > 0
    ),
)
@FAST
def test_split_parts_sum_to_the_total_within_one_unit_of_the_exact_share(
    total: int, weights: list[int]
) -> None:
    parts = split_largest_remainder(total, weights)
    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - Fraction(total * weight, weight_sum)) < 1
        assert part * total >= 0
        if weight == 0:
            assert part == 0
    assert split_largest_remainder(-total, weights) == [-p for p in parts]


@given(
    minor=st.integers(min_value=-(10**15), max_value=10**15),
    weights=st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=8),
    currency=CURRENCIES,
)
@FAST
def test_money_splits_into_parts_of_its_currency_that_add_up(
    minor: int, weights: list[int], currency: str
) -> None:
    whole = Money(minor, currency)
    parts = whole.split(weights)
    assert {p.currency for p in parts} == {currency}
    total = Money.zero(currency)
    for part in parts:
        total = total + part
    assert total == whole


def test_money_refuses_mixed_currencies_and_totals_beyond_an_int64() -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money(100, "SGD") + Money(100, "HKD")
    with pytest.raises(InvalidAmount):
        Money(MAX_TOTAL + 1, "SGD")
    with pytest.raises(UnknownCurrency):
        Money(1, "ZZZ")
    assert Money(5, "SGD") - Money(7, "SGD") == -Money(2, "SGD")
    assert Money(150, "BHD").to_decimal() == Decimal("0.150")


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(Fraction(1, 2), 1), (Fraction(-1, 2), -1), (Fraction(249, 100), 2), (Fraction(-5, 2), -3)],
)
def test_round_half_up_rounds_halves_away_from_zero(value: Fraction, rounded: int) -> None:
    assert round_half_up(value) == rounded


@pytest.mark.parametrize(
    ("days_late", "expected"),
    [
        (-5, "current"),
        (0, "current"),
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "days_over_90"),
    ],
)
def test_aging_bucket_edges(days_late: int, expected: str) -> None:
    due = date(2024, 2, 29)
    assert aging.bucket(due + timedelta(days=days_late), due) == expected
    assert expected in aging.BUCKETS

"""Largest-remainder splits and tax rounding."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.domain.money import split, tax_on


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(-(10**12), 10**12),
    weights=st.lists(st.integers(0, 400), min_size=1, max_size=30).filter(lambda w: sum(w) > 0),
)
def test_parts_sum_to_the_whole_and_are_within_one_of_the_exact_share(
    total: int, weights: list[int]
) -> None:
    parts = split(total, weights)
    assert sum(parts) == total
    for part, w in zip(parts, weights, strict=True):
        assert abs(part - Fraction(total * w, sum(weights))) < 1


def test_ties_go_to_the_earliest_part() -> None:
    assert split(1, [1, 1]) == [1, 0]
    assert split(100, [1, 1, 1]) == [34, 33, 33]


def test_weights_must_have_a_positive_sum() -> None:
    with pytest.raises(ValueError, match="positive sum"):
        split(10, [0, 0])


def test_tax_rounds_half_away_from_zero() -> None:
    assert tax_on(50, Fraction(1, 100)) == 1  # 0.5 -> 1
    assert tax_on(-50, Fraction(1, 100)) == -1
    assert tax_on(27_397, Fraction(9, 100)) == 2_466  # 2465.73

"""Pure parts of the console: amounts for reading and the aging chart's geometry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain import aging, dunning, money

amounts = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False
).map(lambda d: f"{d:.2f}")


@given(amounts)
def test_grouping_only_inserts_separators(amount: str) -> None:
    shown = money.grouped(amount)
    assert shown.replace(",", "") == amount
    whole = shown.lstrip("-").split(".")[0]
    assert all(len(g) == 3 for g in whole.split(",")[1:])
    assert 1 <= len(whole.split(",")[0]) <= 3


def test_grouping_examples() -> None:
    assert money.grouped("1234567.50") == "1,234,567.50"
    assert money.grouped("-1000.00") == "-1,000.00"
    assert money.grouped("999.99") == "999.99"
    assert money.grouped("150000") == "150,000"
    assert money.grouped("not money") == "not money"


def test_parse_refuses_what_is_not_a_decimal_string() -> None:
    assert money.parse("12.345") == Decimal("12.345")
    for bad in ("1e3", "12,00", "", " 1.00", "NaN"):
        with pytest.raises(ValueError, match="not a decimal amount"):
            money.parse(bad)


@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=5, max_size=5))
def test_percents_add_up_to_100_by_largest_remainder(minor: list[int]) -> None:
    values = [Decimal(m) / 100 for m in minor]
    shares = aging.percents(values)
    if sum(minor) == 0:
        assert shares == [0] * 5
        return
    assert sum(shares) == 100
    total = sum(values)
    for share, value in zip(shares, values, strict=True):
        exact = value * 100 / total
        assert share - 1 < exact < share + 1  # never more than one point off the exact share


@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=5, max_size=5))
def test_bars_are_proportional_and_the_largest_is_full_height(minor: list[int]) -> None:
    totals = {
        name: f"{m // 100}.{m % 100:02d}" for (name, _), m in zip(aging.BUCKETS, minor, strict=True)
    }
    bars = aging.bars(totals, max_height=160)
    assert [b.bucket for b in bars] == [name for name, _ in aging.BUCKETS]
    assert all(0 <= b.height <= 160 for b in bars)
    if max(minor) > 0:
        assert max(b.height for b in bars) == 160
        top = max(minor)
        for bar, m in zip(bars, minor, strict=True):
            assert bar.height == m * 160 // top
    else:
        assert all(b.height == 0 for b in bars)


def test_a_negative_total_draws_no_bar() -> None:
    bars = aging.bars({"current": "-50.00", "days_1_30": "100.00"})
    assert bars[0].height == 0
    assert bars[0].percent == 0
    assert bars[1].percent == 100


def test_dunning_s_next_action_in_words() -> None:
    level = {"kind": "level", "level": 2, "name": "Final notice", "due_on": "2026-02-15"}
    assert dunning.next_step(level) == "level 2 (Final notice) from 2026-02-15"
    assert dunning.next_step({"kind": "paused", "until": "2026-03-01"}) == (
        "paused until 2026-03-01"
    )
    assert dunning.next_step({"kind": "end_of_ladder", "level": 5}) == "none: level 5 is the last"
    assert dunning.next_step({"kind": "none"}) == dunning.next_step(None) == ""

"""Reporting rules: months, buckets, DSO and CEI, receivables at past month ends."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.reporting import (
    BUCKETS,
    ItemNow,
    Month,
    aging_at,
    bucket,
    cei,
    dso,
    flows,
    kpis,
    months,
)


def test_months_parse_walk_and_know_their_days() -> None:
    assert Month.parse("2024-02").days == 29
    assert [str(m) for m in months(Month(2025, 11), Month(2026, 2))] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2026, 3).last == date(2026, 3, 31)
    for bad in ("2026-13", "2026-1", "26-01", "2026/01", "abcd-ef"):
        with pytest.raises(ValueError, match="month"):
            Month.parse(bad)


def test_bucket_boundaries() -> None:
    day = date(2026, 6, 30)
    due = {0: "current", -5: "current", 1: "days_1_30", 30: "days_1_30", 31: "days_31_60"}
    due |= {60: "days_31_60", 61: "days_61_90", 90: "days_61_90", 91: "days_over_90"}
    for late, name in due.items():
        assert bucket(day, day - timedelta(days=late)) == name


def test_dso_and_cei_round_half_up_and_are_none_without_a_base() -> None:
    assert dso(110_000, 90_000, 28) == Decimal("34.2")
    assert dso(1, 0, 31) is None
    assert dso(5, -3, 31) is None  # more credited than billed
    assert cei(100_000, 90_000, 110_000, 90_000) == Decimal("80.0")
    assert cei(110_000, 0, 60_000, 0) == Decimal("45.5")  # 45.4545... -> 45.5
    assert cei(0, 100, 100, 100) is None  # nothing was collectable


def test_flows_take_each_line_from_its_own_ledger_account() -> None:
    jan = Month(2026, 1)
    moved = flows(
        [
            (jan, "SGD", "SG", "4000-premium-revenue", "InvoiceIssued", -1000),
            (jan, "SGD", "SG", "1100-receivables", "InvoiceIssued", 1000),  # not counted twice
            (jan, "SGD", "SG", "4000-premium-revenue", "CreditNoteIssued", 100),
            (jan, "SGD", "SG", "1000-cash-clearing", "PaymentReceived", 700),
            (jan, "SGD", "SG", "1000-cash-clearing", "PaymentReversed", -200),
            (jan, "SGD", "SG", "1000-cash-clearing", "ReceiptSuspended", 50),  # nobody's cash
        ]
    )
    row = moved[(jan, ("SGD", "SG"))]
    assert (row["invoiced"], row["credited"], row["net_billed"]) == (1000, 100, 900)
    assert (row["collected"], row["reversed"], row["net_collected"]) == (700, 200, 500)


def test_kpis_open_with_the_month_before_and_skip_quiet_months() -> None:
    dec, jan, feb = Month(2025, 12), Month(2026, 1), Month(2026, 2)
    key = ("SGD", "SG")
    aged = {(dec, key): {"total": 500, "current": 0}, (jan, key): {"total": 0, "current": 0}}
    rows = kpis([jan, feb], {}, aged)
    assert [(r.month, r.opening, r.closing, r.cei) for r in rows] == [
        (jan, 500, 0, Decimal("100.0"))
    ]


month_st = st.builds(Month, st.integers(2025, 2026), st.integers(1, 12))
item_st = st.builds(
    ItemNow,
    key=st.sampled_from([("SGD", "SG"), ("HKD", "HK")]),
    due_date=st.dates(date(2024, 6, 1), date(2027, 6, 1)),
    open_now=st.integers(-10_000, 100_000),
    later=st.dictionaries(month_st, st.integers(-50_000, 50_000), max_size=6),
)


@given(items=st.lists(item_st, max_size=12), first=month_st, n=st.integers(1, 14))
def test_month_end_buckets_add_up_to_what_was_open_then(
    items: list[ItemNow], first: Month, n: int
) -> None:
    ends = months(first, first)
    while len(ends) < n:
        ends.append(ends[-1].next())
    aged = aging_at(items, ends)
    for m in ends:
        for key in {i.key for i in items}:
            expected = sum(
                i.open_now - sum(v for lm, v in i.later.items() if lm > m)
                for i in items
                if i.key == key
            )
            row = aged.get((m, key), dict.fromkeys((*BUCKETS, "total"), 0))
            assert row["total"] == expected
            assert sum(row[b] for b in BUCKETS) == row["total"]

"""Billing periods: the 31st, leap years, quarterly from mid-month, short first periods."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from billing.domain.calendar import ONE_DAY, Frequency, Period, anniversary, periods, year_end


def spans(ps: list[Period]) -> list[tuple[str, str]]:
    return [(p.start.isoformat(), p.end.isoformat()) for p in ps]


def test_monthly_from_the_31st_falls_on_month_ends_and_returns_to_the_31st() -> None:
    ps = periods(date(2026, 1, 31), year_end(date(2026, 1, 31)), Frequency.monthly, 31)
    assert spans(ps)[:4] == [
        ("2026-01-31", "2026-02-27"),
        ("2026-02-28", "2026-03-30"),
        ("2026-03-31", "2026-04-29"),
        ("2026-04-30", "2026-05-30"),
    ]
    assert ps[-1].end == date(2027, 1, 30)
    assert len(ps) == 12


def test_a_leap_year_has_366_days_and_29_february_renews_on_1_march() -> None:
    ps = periods(date(2027, 3, 1), year_end(date(2027, 3, 1)), Frequency.monthly, 1)
    assert sum(p.days for p in ps) == 366
    assert ps[11] == Period(date(2028, 2, 1), date(2028, 2, 29))
    assert anniversary(date(2028, 2, 29)) == date(2029, 3, 1)
    assert year_end(date(2028, 2, 29)) == date(2029, 2, 28)


def test_quarterly_from_mid_month() -> None:
    ps = periods(date(2026, 1, 15), year_end(date(2026, 1, 15)), Frequency.quarterly, 15)
    assert spans(ps) == [
        ("2026-01-15", "2026-04-14"),
        ("2026-04-15", "2026-07-14"),
        ("2026-07-15", "2026-10-14"),
        ("2026-10-15", "2027-01-14"),
    ]


def test_a_term_off_the_billing_day_starts_with_a_short_period() -> None:
    ps = periods(date(2026, 1, 15), year_end(date(2026, 1, 15)), Frequency.quarterly, 1)
    assert spans(ps)[0] == ("2026-01-15", "2026-03-31")
    assert spans(ps)[-1] == ("2027-01-01", "2027-01-14")


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(date(1990, 1, 1), date(2190, 12, 31)),
    frequency=st.sampled_from(list(Frequency)),
    day=st.integers(1, 31),
)
def test_periods_tile_the_year_without_gap_or_overlap(
    start: date, frequency: Frequency, day: int
) -> None:
    end = year_end(start)
    ps = periods(start, end, frequency, day)
    assert ps[0].start == start
    assert ps[-1].end == end
    for before, after in pairwise(ps):
        assert after.start == before.end + ONE_DAY
    assert all(p.days >= 1 for p in ps)
    assert len(ps) <= 12 // frequency.months + 1

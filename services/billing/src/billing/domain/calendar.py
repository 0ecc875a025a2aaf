"""Billing calendar: policy years, billing periods and days of cover.

Period boundaries fall on the billing day of every ``frequency`` months, counted from
the term's first boundary on or before the term start (a billing day beyond a month's
end falls on its last day, and the next boundary returns to the billing day). A term
that does not start on a boundary begins with a short first period.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

ONE_DAY = timedelta(days=1)


class Frequency(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"
    semi_annual = "semi_annual"
    annual = "annual"

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "semi_annual": 6, "annual": 12}[self.value]


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlap(self, start: date, end: date | None) -> int:
        """Days of ``start``..``end`` (inclusive, None: open) inside this period."""
        lo, hi = max(self.start, start), min(self.end, end or self.end)
        return max(0, (hi - lo).days + 1)

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def month_day(month_index: int, day: int) -> date:
    """The ``day`` of month number ``month_index`` (year * 12 + month - 1), clamped."""
    year, month0 = divmod(month_index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day, last))


def anniversary(start: date) -> date:
    """The same date a year later; 29 February's anniversary is 1 March."""
    index = start.year * 12 + start.month - 1 + 12
    same = month_day(index, start.day)
    return same if same.day == start.day else same + ONE_DAY


def year_end(start: date) -> date:
    """The last day of the policy year that starts on ``start``."""
    return anniversary(start) - ONE_DAY


def periods(start: date, end: date, frequency: Frequency, billing_day: int) -> list[Period]:
    """The billing periods of ``start``..``end`` (inclusive), in order."""
    step = frequency.months
    index = start.year * 12 + start.month - 1
    if month_day(index, billing_day) > start:
        index -= 1
    out: list[Period] = []
    while True:
        lo = month_day(index, billing_day)
        if lo > end:
            return out
        hi = month_day(index + step, billing_day) - ONE_DAY
        s, e = max(lo, start), min(hi, end)
        if s <= e:
            out.append(Period(s, e))
        index += step

"""Settlement: a statement per broker and currency for a period.

``opening`` is what the previous statement carried forward (zero or negative: a positive
balance is paid out, never carried). ``net = opening + accruals - clawbacks``; a positive
net is payable, a negative one is carried forward to the next period and nothing is paid.
Entries belong to the first settlement on or after their date that has not taken them.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from commission.domain.errors import InvalidPeriod

FIRST_YEAR, LAST_YEAR = 1900, 2199  # the business dates every service accepts
PERIOD_PATTERN = r"^(19\d\d|2[01]\d\d)-(0[1-9]|1[0-2])$"
# ASCII: \d would also match other scripts' digits, which int() accepts
_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])", re.ASCII)


@dataclass(frozen=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str, field: str = "period") -> Period:
        m = _PERIOD.fullmatch(text)
        if m is None:
            raise InvalidPeriod(f"{text!r} is not a period like 2026-11", field=field)
        year = int(m.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise InvalidPeriod(
                f"{text!r}: a period lies between {FIRST_YEAR}-01 and {LAST_YEAR}-12", field=field
            )
        return cls(year, int(m.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])


@dataclass(frozen=True)
class Statement:
    statement_id: str
    broker_id: str
    period: str
    currency: str
    opening: int
    accruals: int
    clawbacks: int
    entry_count: int

    @property
    def net(self) -> int:
        return self.opening + self.accruals - self.clawbacks

    @property
    def payable(self) -> int:
        return max(self.net, 0)

    @property
    def carried_forward(self) -> int:
        return min(self.net, 0)


def statement_id(broker_id: str, period: Period, currency: str) -> str:
    return f"ST-{period}-{broker_id}-{currency}"


def build_statement(
    broker_id: str, period: Period, currency: str, opening: int, amounts: Iterable[int]
) -> Statement:
    """A statement from the carried-forward balance and the signed entry amounts."""
    amounts = list(amounts)
    return Statement(
        statement_id=statement_id(broker_id, period, currency),
        broker_id=broker_id,
        period=str(period),
        currency=currency,
        opening=min(opening, 0),
        accruals=sum(a for a in amounts if a > 0),
        clawbacks=-sum(a for a in amounts if a < 0),
        entry_count=len(amounts),
    )

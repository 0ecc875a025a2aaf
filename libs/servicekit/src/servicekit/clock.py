"""Time as the services' applications read it: a clock the composition root injects.

A domain never reads time (commands carry it); an application asks its :class:`Clock`,
which is :class:`SystemClock` when served and a :class:`FixedClock` in tests, replays and
runs as of a known time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """The machine's time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().date()


@dataclass
class FixedClock:
    """A clock that says what it is told."""

    at: datetime

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()

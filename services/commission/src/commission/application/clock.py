"""Time arrives from a clock the composition root injects (tests pass a fixed one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that says what it is told (tests, and settling as of a known time)."""

    at: datetime

    def now(self) -> datetime:
        return self.at

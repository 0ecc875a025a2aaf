"""Time arrives from a clock the composition root injects (tests pass a fixed one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    at: datetime

    def now(self) -> datetime:
        return self.at

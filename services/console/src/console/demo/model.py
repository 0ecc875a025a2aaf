"""What the demo plans: calls to the services, gathered into a portfolio."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Call:
    """One write to one service. ``key`` names it in the summary (``invoice`` …)."""

    service: str  # ledger | dunning | commission
    path: str
    body: dict[str, Any]
    key: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Portfolio:
    through: date
    first_day: date
    brokers: list[Call] = field(default_factory=list)  # registrations and agreements
    accounts: list[list[Call]] = field(default_factory=list)  # each account's calls, in order
    policies: int = 0

    @property
    def periods(self) -> list[str]:
        """The months of the year, ``YYYY-MM``, oldest first."""
        out, day = [], self.first_day
        while day <= self.through:
            out.append(f"{day.year:04d}-{day.month:02d}")
            day = add_months(day, 1)
        return out

    def calls(self) -> int:
        return len(self.brokers) + sum(len(a) for a in self.accounts)


def amount(minor: int) -> str:
    """Minor units as the two-place decimal string SGD and HKD use."""
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def year_ending(through: date) -> date:
    """The first day of the twelve months that end with ``through``'s month."""
    return add_months(date(through.year, through.month, 1), -11)

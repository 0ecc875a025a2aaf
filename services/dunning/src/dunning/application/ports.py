"""What the application needs from the outside world, as protocols (adapters implement)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import Protocol


class Clock(Protocol):
    def today(self) -> date: ...


class SystemClock:
    def today(self) -> date:
        return datetime.now(UTC).date()


@dataclass
class FixedClock:
    day: date

    def today(self) -> date:
        return self.day


class Mailer(Protocol):
    """Delivers one rendered notice; returns how (``smtp``, ``outbox:<path>``)."""

    async def send(self, message: EmailMessage) -> str: ...


class LedgerPort(Protocol):
    async def post_adjustment(self, account_id: str, body: dict[str, object]) -> str:
        """Post an adjustment; return ``posted`` (new or replayed) or ``conflict``.

        Raises on a transient failure (the fee stays pending and is retried).
        """
        ...

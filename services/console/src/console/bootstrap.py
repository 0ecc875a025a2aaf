"""The composition root: the backend adapters, built once from the settings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import httpx

from console.adapters.backends.ledger import HttpLedger
from console.adapters.backends.services import HttpCommission, HttpDunning
from console.settings import Settings


def utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass
class Console:
    settings: Settings
    ledger: HttpLedger
    dunning: HttpDunning
    commission: HttpCommission
    today: Callable[[], date] = field(default=utc_today)  # the default dates of the forms

    async def close(self) -> None:
        for backend in (self.ledger, self.dunning, self.commission):
            await backend.close()

    async def readiness(self) -> dict[str, bool]:
        backends = (self.ledger, self.dunning, self.commission)
        answers = await asyncio.gather(*(b.ready() for b in backends))
        return {b.name: ok for b, ok in zip(backends, answers, strict=True)}


def build(
    settings: Settings,
    *,
    ledger_http: httpx.AsyncClient | None = None,
    dunning_http: httpx.AsyncClient | None = None,
    commission_http: httpx.AsyncClient | None = None,
    today: Callable[[], date] = utc_today,
) -> Console:
    """The ``*_http`` clients replace the ones built from the URLs (tests pass clients on
    the services' ASGI apps)."""
    timeout = settings.backend_timeout
    return Console(
        settings=settings,
        ledger=HttpLedger("ledger", settings.ledger_url, client=ledger_http, timeout=timeout),
        dunning=HttpDunning("dunning", settings.dunning_url, client=dunning_http, timeout=timeout),
        commission=HttpCommission(
            "commission", settings.commission_url, client=commission_http, timeout=timeout
        ),
        today=today,
    )

"""Load a planned portfolio through the services' HTTP APIs, concurrently across accounts
(each account's calls in order), then let collections and commission act on it: one
dunning run on the last day, a few collector contacts and promises, and the commission
settlement of every month. Every call carries its own id, so a second load replays."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from console.demo.model import Call, Portfolio

RETRIES = 5


@dataclass
class Backends:
    ledger: httpx.AsyncClient
    dunning: httpx.AsyncClient
    commission: httpx.AsyncClient

    def of(self, service: str) -> httpx.AsyncClient:
        client: httpx.AsyncClient = getattr(self, service)
        return client


@dataclass
class Summary:
    created: Counter[str] = field(default_factory=Counter)
    replayed: Counter[str] = field(default_factory=Counter)
    refused: list[str] = field(default_factory=list)
    seconds: float = 0.0
    head: int = 0  # the highest ledger position written or replayed

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.replayed))
        out = [f"{'':<14}{'created':>10}{'replayed':>10}"]
        out += [f"{k:<14}{self.created[k]:>10}{self.replayed[k]:>10}" for k in kinds]
        calls = sum(self.created.values()) + sum(self.replayed.values())
        rate = calls / self.seconds if self.seconds else 0.0
        out.append(f"{calls} calls in {self.seconds:.1f} s ({rate:.0f}/s)")
        out.append(f"refused: {len(self.refused)}")
        out += [f"  {r}" for r in self.refused[:20]]
        return out


class Loader:
    def __init__(
        self,
        backends: Backends,
        *,
        concurrency: int = 16,
        progress: Callable[[int], None] = lambda n: None,
        actor: str = "demo",
    ) -> None:
        self.backends = backends
        self.concurrency = concurrency
        self.progress = progress
        self.actor = actor
        self.summary = Summary()

    async def send(self, call: Call) -> dict[str, Any] | None:
        """One call with retries on transport errors, 503 and busy accounts (409
        ``concurrency-conflict``); a refusal is recorded and answers ``None``."""
        client = self.backends.of(call.service)
        headers = {"X-Actor": self.actor, **call.headers}
        for attempt in range(RETRIES):
            try:
                r = await client.post(call.path, json=call.body, headers=headers)
            except httpx.TransportError:
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            busy = r.status_code == 409 and "concurrency-conflict" in r.text
            if r.status_code == 503 or busy:
                await asyncio.sleep(float(r.headers.get("retry-after", 0.5 * (attempt + 1))))
                continue
            break
        else:
            self.summary.refused.append(f"{call.key} {call.path}: no answer after retries")
            return None
        if r.status_code >= 400:
            self.summary.refused.append(f"{call.key} {call.path}: {r.status_code} {r.text[:200]}")
            return None
        replayed = r.headers.get("idempotent-replayed") == "true"
        (self.summary.replayed if replayed else self.summary.created)[call.key] += 1
        body: dict[str, Any] = r.json()
        if call.service == "ledger":
            positions = [e.get("position", 0) for e in body.get("events", [])]
            self.summary.head = max([self.summary.head, *positions])
        return body

    async def _account(self, calls: list[Call], gate: asyncio.Semaphore) -> None:
        async with gate:
            for call in calls:
                await self.send(call)
                self.progress(1)

    async def load(self, portfolio: Portfolio) -> Summary:
        start = time.perf_counter()
        for call in portfolio.brokers:
            await self.send(call)
            self.progress(1)
        gate = asyncio.Semaphore(self.concurrency)
        await asyncio.gather(*(self._account(calls, gate) for calls in portfolio.accounts))
        self.summary.seconds = time.perf_counter() - start
        return self.summary

    async def caught_up(self, service: str, seconds: float = 600) -> None:
        """Wait until ``service``'s consumer has read the ledger up to what was written."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                r = await self.backends.of(service).get("/readyz")
                body, ready = r.json(), r.status_code == 200
            except (httpx.HTTPError, ValueError):
                body, ready = {}, False
            feed = body.get("feed") or body.get("consumer") or {}
            if ready and feed.get("position", -1) >= self.summary.head:
                return
            await asyncio.sleep(0.5)
        raise TimeoutError(f"{service} did not catch up with the ledger in {seconds:.0f} s")

    async def collections(self, portfolio: Portfolio, callers: int = 30) -> None:
        """The daily dunning run on the last day; then collectors call the most overdue
        accounts, and every third one promises to pay half of what is overdue."""
        through = portfolio.through.isoformat()
        await self.caught_up("dunning")
        await self.send(Call("dunning", "/v1/dunning-runs", {"as_of": through}, "dunning-run"))
        r = await self.backends.dunning.get("/v1/worklist", params={"page_size": callers})
        for n, row in enumerate(r.json().get("accounts", [])):
            account = row["account_id"]
            path = f"/v1/accounts/{account}"
            contact = {
                "contact_id": f"DEMO-C-{account}-{through}",
                "channel": "call",
                "outcome": _OUTCOMES[n % len(_OUTCOMES)],
                "contacted_on": through,
            }
            await self.send(Call("dunning", f"{path}/contacts", contact, "contact"))
            half = (Decimal(row["overdue"]) / 2).quantize(Decimal("0.01"))
            if n % 3 == 0 and half > 0:
                promise = {
                    "promise_id": f"DEMO-P-{account}-{through}",
                    "amount": str(half),
                    "promised_date": str(portfolio.through + timedelta(days=14)),
                    "made_on": through,
                    "note": "Half now, the rest next month",
                }
                await self.send(Call("dunning", f"{path}/promises", promise, "promise"))

    async def settle(self, portfolio: Portfolio) -> None:
        """Commission's settlement of every month of the year, oldest first."""
        for period in portfolio.periods:
            await self.send(Call("commission", "/v1/settlements", {"period": period}, "settlement"))


_OUTCOMES = (
    "Spoke to finance; payment run on Friday",
    "Left a voicemail for the HR manager",
    "Customer asked for copies of the invoices",
    "Promised to pay the oldest invoice first",
)

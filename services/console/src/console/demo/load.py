"""Load a planned portfolio through the services' HTTP APIs, concurrently across accounts
(each account's calls in order), then let collections and commission act on it: one
dunning run on the last day, a few collector contacts and promises, and the commission
settlement of every month. Every call carries its own id, so a second load replays."""

from __future__ import annotations

import asyncio
import re
import time
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx

from console.demo.model import Call, Portfolio

RETRIES = 5
BATCH_ITEMS = 2000  # ledger calls per POST /v1/batches (the ledger takes up to 10,000)
BATCH = Call("ledger", "/v1/batches", {}, "batch")
# The ledger's batch operation of each single route the demo uses, with its path parameters.
ROUTES = tuple(
    (re.compile(pattern), op)
    for pattern, op in (
        (r"^/v1/accounts$", "open_account"),
        (r"^/v1/accounts/(?P<account_id>[^/]+)/invoices$", "issue_invoice"),
        (r"^/v1/accounts/(?P<account_id>[^/]+)/payments$", "receive_payment"),
        (
            r"^/v1/accounts/(?P<account_id>[^/]+)/payments/(?P<payment_id>[^/]+)/reversal$",
            "reverse_payment",
        ),
        (r"^/v1/accounts/(?P<account_id>[^/]+)/invoices/(?P<invoice_id>[^/]+)/dispute$", "dispute"),
        (r"^/v1/accounts/(?P<account_id>[^/]+)/write-offs$", "write_off"),
    )
)


def batch_item(call: Call) -> dict[str, Any]:
    """The ``POST /v1/batches`` item that does what ``call`` does on its single route."""
    for pattern, op in ROUTES:
        match = pattern.match(call.path)
        if match:
            item: dict[str, Any] = {"op": op, **match.groupdict(), "body": call.body}
            if "Idempotency-Key" in call.headers:
                item["idempotency_key"] = call.headers["Idempotency-Key"]
            return item
    raise ValueError(f"no batch operation for {call.path}")


def batches(accounts: list[list[Call]], size: int = BATCH_ITEMS) -> list[list[Call]]:
    """Whole accounts gathered into batches of at most about ``size`` calls."""
    out: list[list[Call]] = [[]]
    for calls in accounts:
        if out[-1] and len(out[-1]) + len(calls) > size:
            out.append([])
        out[-1].extend(calls)
    return [b for b in out if b]


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
    pending: list[str] = field(default_factory=list)  # steps left for a later run
    notes: list[str] = field(default_factory=list)  # what was left out on purpose, and why
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
        out += [f"not done yet: {p}" for p in self.pending]
        out += self.notes
        return out


class Loader:
    def __init__(
        self,
        backends: Backends,
        *,
        concurrency: int = 2,
        progress: Callable[[int], None] = lambda n: None,
        waiting: Callable[[str, int | None], None] = lambda service, lag: None,
        actor: str = "demo",
        wait: float = 3600,
    ) -> None:
        self.backends = backends
        self.concurrency = concurrency
        self.progress = progress
        self.waiting = waiting
        self.wait = wait  # seconds to wait for dunning and commission to catch up
        self.actor = actor
        self.summary = Summary()

    async def _post(self, call: Call, json: Any) -> httpx.Response | None:
        """POST with retries on transport errors, 503 and busy accounts (409
        ``concurrency-conflict``); ``None`` when no answer came."""
        client = self.backends.of(call.service)
        headers = {"X-Actor": self.actor, **call.headers}
        for attempt in range(RETRIES):
            try:
                r = await client.post(call.path, json=json, headers=headers)
            except httpx.TransportError:
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            busy = r.status_code == 409 and "concurrency-conflict" in r.text
            if r.status_code == 503 or busy:
                await asyncio.sleep(float(r.headers.get("retry-after", 0.5 * (attempt + 1))))
                continue
            return r
        return None

    def _count(self, call: Call, replayed: bool, body: dict[str, Any]) -> None:
        (self.summary.replayed if replayed else self.summary.created)[call.key] += 1
        if call.service == "ledger":
            positions = [e.get("position", 0) for e in body.get("events", [])]
            self.summary.head = max([self.summary.head, *positions])

    async def send(self, call: Call) -> dict[str, Any] | None:
        """One call; a refusal is recorded and answers ``None``."""
        return self._answered(call, await self._post(call, call.body))

    def _answered(self, call: Call, r: httpx.Response | None) -> dict[str, Any] | None:
        """Count ``call``'s answer ``r`` as created or replayed, or record its refusal."""
        if r is None:
            self.summary.refused.append(f"{call.key} {call.path}: no answer after retries")
            return None
        if r.status_code >= 400:
            self.summary.refused.append(f"{call.key} {call.path}: {r.status_code} {r.text[:200]}")
            return None
        body: dict[str, Any] = r.json()
        self._count(call, r.headers.get("idempotent-replayed") == "true", body)
        return body

    async def _batch(self, calls: list[Call], gate: asyncio.Semaphore) -> None:
        """Many accounts' ledger calls in one ``POST /v1/batches`` (each account's in order)."""
        async with gate:
            r = await self._post(BATCH, [batch_item(c) for c in calls])
        if r is None or r.status_code != 200:
            why = "no answer after retries" if r is None else f"{r.status_code} {r.text[:200]}"
            self.summary.refused.append(f"batch of {len(calls)} calls: {why}")
        else:
            for call, result in zip(calls, r.json()["results"], strict=True):
                if result["status"] >= 400:
                    problem = result.get("problem") or {}
                    self.summary.refused.append(
                        f"{call.key} {call.path}: {result['status']} {problem.get('detail', '')}"
                    )
                else:
                    self._count(call, bool(result.get("replayed")), result.get("body") or {})
        self.progress(len(calls))

    async def load(self, portfolio: Portfolio) -> Summary:
        """Brokers one by one, then the accounts' ledger calls in batches, a few at once."""
        start = time.perf_counter()
        for call in portfolio.brokers:
            await self.send(call)
            self.progress(1)
        gate = asyncio.Semaphore(self.concurrency)
        await asyncio.gather(*(self._batch(b, gate) for b in batches(portfolio.accounts)))
        self.summary.seconds = time.perf_counter() - start
        return self.summary

    async def caught_up(self, service: str, seconds: float | None = None) -> None:
        """Wait until ``service``'s consumer has read the ledger up to what was written,
        telling ``self.waiting`` how far behind it is on every look."""
        seconds = self.wait if seconds is None else seconds
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                r = await self.backends.of(service).get("/readyz")
                body, ready = r.json(), r.status_code == 200
            except (httpx.HTTPError, ValueError):
                body, ready = {}, False
            feed = body.get("feed") or body.get("consumer") or {}
            if ready and feed.get("position", -1) >= self.summary.head:
                self.waiting(service, 0)
                return
            self.waiting(service, feed.get("lag"))
            await asyncio.sleep(1.0)
        raise TimeoutError(f"{service} did not catch up with the ledger in {seconds:.0f} s")

    async def dunning_run(self, call: Call) -> None:
        """Dunning answers a run for a date again with nothing to do (no actions): counted
        as a replay, as a write the services mark ``Idempotent-Replayed``."""
        r = await self._post(call, call.body)
        if r is None or r.status_code >= 400:
            why = "no answer after retries" if r is None else f"{r.status_code} {r.text[:200]}"
            self.summary.refused.append(f"{call.key} {call.path}: {why}")
            return
        body = r.json()
        self._count(call, not body.get("actions"), body)

    async def finish(self, portfolio: Portfolio) -> None:
        """Collections and settlements; a service that does not catch up in time leaves its
        step for a later run (loading again replays the rest and does it)."""
        for step, service in ((self.collections, "dunning"), (self.settle, "commission")):
            try:
                await step(portfolio)
            except TimeoutError:
                self.summary.pending.append(
                    f"{service} is still reading the ledger's events; run the demo again later"
                    f" to finish its part ({step.__name__})"
                )

    async def collections(self, portfolio: Portfolio, callers: int = 30) -> None:
        """The daily dunning run on the last day; then collectors call the most overdue
        accounts, and about every third one promises to pay half of what is overdue.

        What each call says and whether it ends in a promise follow from the account, not
        from its place on the worklist: loading again after the worklist moved (other
        accounts fell overdue meanwhile) replays the same contacts instead of sending
        other ones under the same ids, which dunning refuses."""
        through = portfolio.through.isoformat()
        await self.caught_up("dunning")
        await self.dunning_run(
            Call("dunning", "/v1/dunning-runs", {"as_of": through}, "dunning-run")
        )
        r = await self.backends.dunning.get("/v1/worklist", params={"page_size": callers})
        for row in r.json().get("accounts", []):
            account = row["account_id"]
            path = f"/v1/accounts/{account}"
            n = zlib.crc32(account.encode())
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
        """Commission's settlement of every month of the year, oldest first.

        Commission settles periods in order: a month before one already settled (by hand,
        say, in the walk-through before the demo) is refused ``period-order``. That is not a
        failure of the demo: the month's commission goes into the next settlement it makes,
        so such months are noted as skipped, not listed as refused."""
        await self.caught_up("commission")
        skipped: list[str] = []
        for period in portfolio.periods:
            call = Call("commission", "/v1/settlements", {"period": period}, "settlement")
            r = await self._post(call, call.body)
            if r is not None and r.status_code == 422 and _rule(r) == "period-order":
                skipped.append(period)
                continue
            self._answered(call, r)
        if skipped:
            self.summary.notes.append(
                f"settlement: {len(skipped)} month(s) not settled ({skipped[0]}..{skipped[-1]}):"
                " a later month was settled already; their commission goes into the next"
                " settlement"
            )


def _rule(response: httpx.Response) -> str | None:
    """The ``rule`` of a problem+json answer, if it is one."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("rule") if isinstance(body, dict) else None


_OUTCOMES = (
    "Spoke to finance; payment run on Friday",
    "Left a voicemail for the HR manager",
    "Customer asked for copies of the invoices",
    "Promised to pay the oldest invoice first",
)

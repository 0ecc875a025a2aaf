#!/usr/bin/env python3
"""Ledger benchmark: the commit ceiling, the service over HTTP, a peer, latency vs history.

One run, one machine, one PostgreSQL server, four figures:

1. **raw ceiling** -- single-row ``INSERT`` + ``COMMIT`` per transaction with asyncpg,
   ``--clients`` concurrent connections. Nothing that commits once per command can beat it.
2. **ledger over HTTP** -- ``ledger serve`` in a subprocess (uvicorn, ``--workers`` 1 and 2),
   ``--clients`` keep-alive HTTP/1.1 clients posting a realistic mix (invoices, payments
   allocated oldest-due-first, a few credit notes and adjustments) across ``--accounts``
   accounts; posts/s with p50/p99 latency.
3. **peer** -- the same workload with the ``eventsourcing`` library on PostgreSQL: an
   ``Account`` aggregate with invoice/payment events, ``--clients`` threads, each command
   ``repository.get`` + method + ``save`` (the library's own API; no HTTP, so the peer is
   spared the cost the ledger pays for it).
4. **latency vs history** -- sequential commands (invoice, then a payment settling it) on
   an account with 10 events and on one with ``--history`` events (built first through the
   API). The ledger loads projections, not the history, so the two must match.

Sections 5-7 (``scale.py``) time batch ingest, reads at scale and a projection rebuild;
section 8 (``consumers.py``) has dunning and commission consume and replay the feed of the
ledger database section 2 filled, against the ledger's sustained events/s.

The database server is ``--database-url`` (any superuser URL, e.g.
``postgresql://postgres@127.0.0.1:5432/postgres``), else ``$BENCH_DATABASE_URL``, else an
embedded PostgreSQL started for the run. Each section gets a fresh database, dropped at
the end. ``--quick`` shrinks everything to a few seconds (the smoke test uses it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shlex
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import asyncpg
from consumers import report_consumers, run_consumers
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError as PeerConflict
from harness import (
    CpuMeter,
    Databases,
    Figure,
    HttpClient,
    Server,
    database_server,
    ledger_revision,
    ledger_server,
    log,
    migrate,
    run_async,
    server_facts,
)
from scale import ScaleConfig, report_scale, run_scale
from yardstick import run_trivial

from devstack.pgurl import asyncpg_url, database_name, libpq_url

START = date(2026, 1, 1)

# --------------------------------------------------------------------------------------
# configuration and results


@dataclass(frozen=True)
class Config:
    clients: int = 32
    duration: float = 10.0  # seconds measured per throughput figure
    warmup: float = 2.0  # seconds run (and discarded) before each measurement
    accounts: int = 2000
    workers: tuple[int, ...] = (1, 2)
    history: int = 10_000  # events on the long account
    short_history: int = 10
    samples: int = 300  # sequential commands timed per history length
    peer_history_samples: int = 20  # the peer replays the whole history: keep it short
    seed: int = 1

    @classmethod
    def quick(cls) -> Config:
        return cls(
            duration=0.8,
            warmup=0.3,
            accounts=48,
            workers=(1, 2),
            history=200,
            samples=30,
            peer_history_samples=3,
        )


# --------------------------------------------------------------------------------------
# (1) the raw ceiling


async def _measure(
    cfg: Config, fig: Figure, meter: CpuMeter, phase: Callable[[float, bool], Awaitable[None]]
) -> None:
    """Run ``phase(stop, record)`` for the warm-up (discarded), then measured."""
    for record, length in ((False, cfg.warmup), (True, cfg.duration)):
        begin = time.perf_counter()
        if record:
            meter.start()
        await phase(begin + length, record)
        if record:
            fig.seconds = time.perf_counter() - begin
            fig.cpu = meter.stop(fig.count)


async def _raw(url: str, cfg: Config) -> Figure:
    conns = [await asyncpg.connect(url) for _ in range(cfg.clients)]
    try:
        await conns[0].execute(
            "CREATE TABLE raw_commits (id bigserial PRIMARY KEY, account_id text NOT NULL, "
            "amount bigint NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())"
        )
        sql = "INSERT INTO raw_commits (account_id, amount) VALUES ($1, $2)"
        fig = Figure("raw PostgreSQL INSERT+COMMIT")

        async def worker(conn: asyncpg.Connection, n: int, stop: float, record: bool) -> None:
            rng = random.Random(n)
            while (t0 := time.perf_counter()) < stop:
                # One statement outside a transaction block: its own transaction and commit.
                await conn.execute(sql, f"ACC-{rng.randrange(cfg.accounts)}", 100)
                if record:
                    fig.latencies.append(time.perf_counter() - t0)
                    fig.count += 1

        async def phase(stop: float, record: bool) -> None:
            await asyncio.gather(*(worker(c, n, stop, record) for n, c in enumerate(conns)))

        await _measure(cfg, fig, CpuMeter(database_name(url)), phase)
        return fig
    finally:
        for c in conns:
            await c.close()


def run_raw(dbs: Databases, cfg: Config) -> Figure:
    url = libpq_url(dbs.make("raw"))
    fig = run_async(lambda: _raw(url, cfg))
    fig.note = f"{cfg.clients} asyncpg connections, autocommit"
    return fig


# --------------------------------------------------------------------------------------
# the workload (shared by the ledger and the peer)


def _money(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


@dataclass
class Book:
    """What the load generator knows of the accounts it posts to."""

    accounts: list[str]
    invoices: dict[str, list[str]] = field(default_factory=dict)
    counter: int = 0

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"


@dataclass(frozen=True)
class Command:
    account: str
    kind: str  # invoice | payment | credit_note | adjustment
    ident: str
    amount: int
    day: date
    invoice_id: str | None = None


def next_command(book: Book, rng: random.Random) -> Command:
    """45 % invoices, 45 % payments (oldest due first), 5 % credit notes, 5 % adjustments."""
    account = rng.choice(book.accounts)
    day = START + timedelta(days=rng.randrange(300))
    roll = rng.random()
    issued = book.invoices.get(account, [])
    if roll < 0.05 and issued:
        return Command(account, "credit_note", book.next_id("CN"), 100, day, rng.choice(issued))
    if roll < 0.10:
        return Command(account, "adjustment", book.next_id("ADJ"), rng.randrange(100, 5000), day)
    if roll < 0.55:
        return Command(account, "invoice", book.next_id("INV"), rng.randrange(5000, 20000), day)
    return Command(account, "payment", book.next_id("PAY"), rng.randrange(5000, 20000), day)


def http_request(c: Command) -> tuple[str, dict[str, Any]]:
    base = f"/v1/accounts/{c.account}"
    if c.kind == "invoice":
        return f"{base}/invoices", {
            "invoice_id": c.ident,
            "issue_date": c.day.isoformat(),
            "due_date": (c.day + timedelta(days=30)).isoformat(),
            "lines": [
                {
                    "description": "Group medical premium",
                    "amount": _money(c.amount),
                    "policy_id": "POL-1",
                }
            ],
        }
    if c.kind == "payment":
        return f"{base}/payments", {
            "payment_id": c.ident,
            "amount": _money(c.amount),
            "received_on": c.day.isoformat(),
            "method": "bank_transfer",
            "reference": c.ident,
        }
    if c.kind == "credit_note":
        return f"{base}/credit-notes", {
            "credit_note_id": c.ident,
            "invoice_id": c.invoice_id,
            "amount": _money(c.amount),
            "reason": "goodwill",
        }
    return f"{base}/adjustments", {
        "adjustment_id": c.ident,
        "amount": _money(c.amount),
        "reason": "late fee",
    }


def open_account_body(account: str) -> dict[str, Any]:
    return {
        "account_id": account,
        "name": f"Customer {account}",
        "currency": "SGD",
        "jurisdiction": "SG",
        "credit_limit": "1000000.00",
        "payment_terms_days": 30,
        "opened_on": START.isoformat(),
    }


# --------------------------------------------------------------------------------------
# (2) the ledger over HTTP


async def _post_all(port: int, jobs: list[tuple[str, dict[str, Any]]], concurrency: int) -> None:
    queue = list(reversed(jobs))

    async def worker() -> None:
        client = HttpClient("127.0.0.1", port)
        try:
            while queue:
                path, body = queue.pop()
                status, data = await client.post(path, body)
                if status >= 300:
                    raise RuntimeError(f"{path}: {status} {data[:300]!r}")
        finally:
            await client.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _ledger_load(port: int, cfg: Config, label: str, meter: CpuMeter) -> Figure:
    book = Book([f"ACC-{label}-{n:05d}" for n in range(cfg.accounts)])
    await _post_all(
        port, [("/v1/accounts", open_account_body(a)) for a in book.accounts], cfg.clients
    )
    fig = Figure(f"ledger HTTP posts, uvicorn --workers {label}")
    problems: dict[int, bytes] = {}

    async def worker(n: int, stop: float, record: bool) -> None:
        rng = random.Random(cfg.seed * 1000 + n)
        client = HttpClient("127.0.0.1", port)
        try:
            while (t0 := time.perf_counter()) < stop:
                c = next_command(book, rng)
                path, body = http_request(c)
                status, data = await client.post(path, body)
                if status == 201 and c.kind == "invoice":
                    book.invoices.setdefault(c.account, []).append(c.ident)
                if not record:
                    continue
                if status == 201:
                    fig.count += 1
                    fig.latencies.append(time.perf_counter() - t0)
                else:
                    fig.errors += 1
                    problems.setdefault(status, data[:300])
        finally:
            await client.close()

    async def phase(stop: float, record: bool) -> None:
        await asyncio.gather(*(worker(n, stop, record) for n in range(cfg.clients)))

    await _measure(cfg, fig, meter, phase)
    for status, sample in problems.items():
        log(f"ledger answered {status}: {sample!r}")
    return fig


def run_ledger(db_url: str, server: Server, cfg: Config, workers: int) -> Figure:
    meter = CpuMeter(database_name(db_url), server.pid)
    fig = run_async(lambda: _ledger_load(server.port, cfg, str(workers), meter))
    fig.note = f"{cfg.clients} keep-alive clients, {cfg.accounts} accounts"
    return fig


# --------------------------------------------------------------------------------------
# (4) latency against the length of an account's history


async def _history_latency(port: int, cfg: Config, db_url: str) -> dict[str, Figure]:
    client = HttpClient("127.0.0.1", port)
    counter = iter(range(1, 10**9))

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        status, data = await client.post(path, body)
        if status != 201:
            raise RuntimeError(f"{path}: {status} {data[:300]!r}")
        out: dict[str, Any] = json.loads(data)
        return out

    async def settle_pair(account: str, day: date) -> tuple[int, int, float, float]:
        """An invoice, then a payment that settles it: 3 events. Returns the version."""
        n = next(counter)
        inv = Command(account, "invoice", f"H-INV-{n}", 10000, day)
        pay = Command(account, "payment", f"H-PAY-{n}", 10000, day)
        t0 = time.perf_counter()
        await post(*http_request(inv))
        t1 = time.perf_counter()
        out = await post(*http_request(pay))
        t2 = time.perf_counter()
        return int(out["version"]), n, t1 - t0, t2 - t1

    async def grow(account: str, target: int) -> int:
        """Post to ``account`` until it has ``target`` events (fast: batches of invoices
        settled by one payment, posted by several clients at once)."""
        await post("/v1/accounts", open_account_body(account))
        version = 1
        batch = 100
        while target - version > 3 * batch:
            jobs = []
            for _ in range(batch):
                n = next(counter)
                jobs.append(http_request(Command(account, "invoice", f"B-INV-{n}", 10000, START)))
            await _post_all(port, jobs, 8)
            out = await post(
                *http_request(
                    Command(account, "payment", f"B-PAY-{next(counter)}", 10000 * batch, START)
                )
            )
            version = int(out["version"])
        while target - version >= 3:
            version, *_ = await settle_pair(account, START)
        while version < target:  # one event each: a payment with nothing open to pay
            out = await post(
                *http_request(Command(account, "payment", f"B-PAY-{next(counter)}", 100, START))
            )
            version = int(out["version"])
        return version

    async def measure(accounts: dict[str, Figure]) -> None:
        """Time settling pairs on each account in turn (interleaved, so that both see the
        same server, the same caches and the same neighbours' noise)."""
        day = START + timedelta(days=1)
        for _ in range(3):  # unrecorded: warm the connection and the server's caches
            for account in accounts:
                await settle_pair(account, day)
        for _ in range(cfg.samples // 2):
            for account, fig in accounts.items():
                t0 = time.perf_counter()
                _, _, a, b = await settle_pair(account, day)
                fig.seconds += time.perf_counter() - t0
                fig.latencies += [a, b]
                fig.count += 2

    try:
        short = await grow("HIST-SHORT", cfg.short_history)
        t0 = time.perf_counter()
        long = await grow("HIST-LONG", cfg.history)
        log(f"built an account with {long} events in {time.perf_counter() - t0:.1f} s")
        figs = {
            "latency_short_unvacuumed": Figure(f"ledger latency, {short} events, just built"),
            "latency_long_unvacuumed": Figure(f"ledger latency, {long:,} events, just built"),
            "latency_short": Figure(f"ledger latency, {short} events, vacuumed"),
            "latency_long": Figure(f"ledger latency, {long:,} events, vacuumed"),
        }
        # Measure right after the bulk build (autovacuum has neither vacuumed nor
        # analyzed the tables yet), then again after VACUUM ANALYZE, the steady state
        # autovacuum keeps. Fresh statistics change the plans of prepared statements.
        await measure(
            {
                "HIST-SHORT": figs["latency_short_unvacuumed"],
                "HIST-LONG": figs["latency_long_unvacuumed"],
            }
        )
        conn = await asyncpg.connect(libpq_url(db_url))
        try:
            await conn.execute("VACUUM ANALYZE")
        finally:
            await conn.close()
        await measure({"HIST-SHORT": figs["latency_short"], "HIST-LONG": figs["latency_long"]})
        for fig in figs.values():
            fig.note = "sequential invoice + settling payment, over HTTP"
        return figs
    finally:
        await client.close()


def run_history(port: int, cfg: Config, db_url: str) -> dict[str, Figure]:
    out: dict[str, Figure] = {}

    async def go() -> Figure:
        out.update(await _history_latency(port, cfg, db_url))
        return out["latency_long"]

    run_async(go)
    return out


# --------------------------------------------------------------------------------------
# (3) the peer: the eventsourcing library on PostgreSQL


class PeerAccount(Aggregate):
    """A receivables account as an eventsourcing aggregate (amounts in minor units)."""

    @staticmethod
    def create_id(account_id: str) -> uuid.UUID:
        return peer_id(account_id)

    @event("Opened")
    def __init__(self, account_id: str, currency: str) -> None:
        self.account_id = account_id
        self.currency = currency
        self.invoices: dict[str, list[Any]] = {}  # id -> [due date iso, amount, open]
        self.payments: dict[str, int] = {}  # id -> unapplied
        self.adjustments: set[str] = set()
        self.credit_notes: set[str] = set()

    # commands: check the rules, then trigger events

    def issue_invoice(self, invoice_id: str, amount: int, issue: str, due: str) -> None:
        if invoice_id in self.invoices:
            raise ValueError(f"invoice {invoice_id} exists")
        if amount <= 0 or due < issue:
            raise ValueError("bad invoice")
        self.invoice_issued(invoice_id=invoice_id, amount=amount, issue_date=issue, due_date=due)

    def receive_payment(self, payment_id: str, amount: int, received_on: str) -> None:
        if payment_id in self.payments:
            raise ValueError(f"payment {payment_id} exists")
        if amount <= 0:
            raise ValueError("bad amount")
        self.payment_received(payment_id=payment_id, amount=amount, received_on=received_on)
        left = amount
        for invoice_id, (_, _, open_amount) in sorted(
            self.invoices.items(), key=lambda kv: (kv[1][0], kv[0])
        ):
            if left == 0:
                break
            if open_amount > 0:
                part = min(open_amount, left)
                self.payment_allocated(payment_id=payment_id, invoice_id=invoice_id, amount=part)
                left -= part

    def issue_credit_note(self, credit_note_id: str, invoice_id: str, amount: int) -> None:
        if credit_note_id in self.credit_notes or invoice_id not in self.invoices:
            raise ValueError("bad credit note")
        self.credit_note_issued(
            credit_note_id=credit_note_id,
            invoice_id=invoice_id,
            amount=min(amount, self.invoices[invoice_id][2]),
        )

    def post_adjustment(self, adjustment_id: str, amount: int, day: str) -> None:
        if adjustment_id in self.adjustments:
            raise ValueError("adjustment exists")
        self.adjustment_posted(adjustment_id=adjustment_id, amount=amount, day=day)

    # events: apply them

    @event("InvoiceIssued")
    def invoice_issued(self, invoice_id: str, amount: int, issue_date: str, due_date: str) -> None:
        self.invoices[invoice_id] = [due_date, amount, amount]

    @event("PaymentReceived")
    def payment_received(self, payment_id: str, amount: int, received_on: str) -> None:
        self.payments[payment_id] = amount

    @event("PaymentAllocated")
    def payment_allocated(self, payment_id: str, invoice_id: str, amount: int) -> None:
        self.payments[payment_id] -= amount
        self.invoices[invoice_id][2] -= amount

    @event("CreditNoteIssued")
    def credit_note_issued(self, credit_note_id: str, invoice_id: str, amount: int) -> None:
        self.credit_notes.add(credit_note_id)
        self.invoices[invoice_id][2] -= amount

    @event("AdjustmentPosted")
    def adjustment_posted(self, adjustment_id: str, amount: int, day: str) -> None:
        self.adjustments.add(adjustment_id)
        self.invoices[adjustment_id] = [day, amount, amount]


def peer_id(account_id: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"/accounts/{account_id}")


class PeerLedger(Application[uuid.UUID]):
    def execute(self, c: Command) -> None:
        account: PeerAccount = self.repository.get(peer_id(c.account))
        if c.kind == "invoice":
            account.issue_invoice(
                c.ident, c.amount, c.day.isoformat(), (c.day + timedelta(days=30)).isoformat()
            )
        elif c.kind == "payment":
            account.receive_payment(c.ident, c.amount, c.day.isoformat())
        elif c.kind == "credit_note":
            assert c.invoice_id is not None
            account.issue_credit_note(c.ident, c.invoice_id, c.amount)
        else:
            account.post_adjustment(c.ident, c.amount, c.day.isoformat())
        self.save(account)


def peer_env(db_url: str, pool_size: int) -> dict[str, str]:
    parts = urlsplit(libpq_url(db_url))
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or "127.0.0.1"])[0]
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")),
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": "0",
        "CREATE_TABLE": "y",
    }


def run_peer(db_url: str, cfg: Config) -> tuple[Figure, Figure, Figure]:
    app = PeerLedger(env=peer_env(db_url, cfg.clients))
    try:
        book = Book([f"ACC-P-{n:05d}" for n in range(cfg.accounts)])
        for start in range(0, len(book.accounts), 500):
            app.save(*(PeerAccount(a, "SGD") for a in book.accounts[start : start + 500]))
        fig = Figure("eventsourcing peer, commands")
        lock = threading.Lock()

        def worker(n: int, stop: float, record: bool) -> None:
            rng = random.Random(cfg.seed * 1000 + n)
            while (t0 := time.perf_counter()) < stop:
                with lock:
                    c = next_command(book, rng)
                for _ in range(20):
                    try:
                        app.execute(c)
                        break
                    except PeerConflict:
                        continue  # another thread saved the account first: reload, retry
                else:
                    if record:
                        with lock:
                            fig.errors += 1
                    continue
                with lock:
                    if c.kind == "invoice":
                        book.invoices.setdefault(c.account, []).append(c.ident)
                    if record:
                        fig.count += 1
                        fig.latencies.append(time.perf_counter() - t0)

        meter = CpuMeter(database_name(db_url))
        with ThreadPoolExecutor(cfg.clients) as pool:
            for record, length in ((False, cfg.warmup), (True, cfg.duration)):
                begin = time.perf_counter()
                if record:
                    meter.start()
                stop = begin + length
                for f in [pool.submit(worker, n, stop, record) for n in range(cfg.clients)]:
                    f.result()
                if record:
                    fig.seconds = time.perf_counter() - begin
                    fig.cpu = meter.stop(fig.count)
        fig.note = f"{cfg.clients} threads, {cfg.accounts} accounts, in-process (no HTTP)"
        short, long = _peer_history(app, cfg)
        return fig, short, long
    finally:
        app.close()


def _peer_history(app: PeerLedger, cfg: Config) -> tuple[Figure, Figure]:
    """The peer replays an aggregate's whole history on every command (no snapshots)."""
    figs = []
    for target in (cfg.short_history, cfg.history):
        name = f"H-P-{target}"
        account = PeerAccount(name, "SGD")
        n = 0
        while account.version < target - 2:  # pairs of invoice + settling payment
            n += 1
            account.issue_invoice(f"I{n}", 10000, START.isoformat(), START.isoformat())
            account.receive_payment(f"P{n}", 10000, START.isoformat())
        while account.version < target:
            n += 1
            account.post_adjustment(f"A{n}", 100, START.isoformat())
        app.save(account)
        fig = Figure(f"eventsourcing peer latency, {account.version:,} events")
        begin = time.perf_counter()
        for _ in range(cfg.peer_history_samples):
            n += 1
            t0 = time.perf_counter()
            app.execute(Command(name, "invoice", f"X{n}", 10000, START))
            fig.latencies.append(time.perf_counter() - t0)
            fig.count += 1
        fig.seconds = time.perf_counter() - begin
        fig.note = "sequential, in-process"
        figs.append(fig)
    return figs[0], figs[1]


# --------------------------------------------------------------------------------------
# report


def _row(fig: Figure) -> str:
    s = fig.summary()
    return (
        f"{s['name']:<46} {s['rate']:>8,.0f} /s   p50 {s['p50_ms']:>7.2f} ms"
        f"   p99 {s['p99_ms']:>7.2f} ms   n={s['count']:<6} errors={s['errors']}"
    )


def _cpu_row(fig: Figure) -> str:
    c = fig.cpu
    parts = [f"{k.removesuffix('_ms')} {v:.2f}" for k, v in c.items() if k.endswith("_ms")]
    other = f"; other processes used {c['other_cores']:.1f} cores" if "other_cores" in c else ""
    return f"    CPU ms/command: {', '.join(parts) or 'n/a'}{other}"


def capacity(fig: Figure, processes: int) -> float:
    """Commands/s the machine could sustain if nothing else ran on it: the bound from the
    CPU the service (``processes`` single-threaded Python processes) and PostgreSQL spent
    per command. The load generator is left out (in production it runs elsewhere)."""
    app = fig.cpu.get("server_ms") or fig.cpu.get("client_ms")
    pg = fig.cpu.get("postgres_ms", 0.0)
    if not app:
        return float("nan")
    return 1000 * min(processes / app, (os.cpu_count() or 1) / (app + pg))


def _ratio(a: float, b: float) -> float:
    return a / b if b and b == b else float("nan")


def print_aims(top: Figure, ratios: dict[str, float]) -> None:
    print("aims (single commands, 32 clients, the most workers)")
    for label, value, aim, ok in (
        ("posts/s", f"{top.rate:9,.0f}", ">= 1,500", top.rate >= 1500),
        ("p99", f"{ratios['ledger_p99_ms']:7.1f} ms", "<= 50 ms", ratios["ledger_p99_ms"] <= 50),
        (
            "ledger / trivial FastAPI",
            f"{ratios['ledger_vs_trivial']:9.1%}",
            ">= 60%",
            ratios["ledger_vs_trivial"] >= 0.6,
        ),
    ):
        print(f"  {label:<32} {value}  aim {aim}: {'met' if ok else 'NOT met'}")


def report_singles(figs: dict[str, Figure], facts: dict[str, str], argv: list[str]) -> None:
    """``--singles``: the ceiling, the ledger over HTTP and the trivial endpoint, the aims."""
    ledger_keys = [k for k in figs if k.startswith("ledger_w")]
    top_key = max(ledger_keys, key=lambda k: int(k.removeprefix("ledger_w")))
    top, raw = figs[top_key], figs["raw"]
    print()
    print(f"Ledger single commands ({' '.join(shlex.quote(a) for a in argv)}; {facts['ledger']})")
    for k in ["raw", *ledger_keys, "trivial"]:
        bound = ""
        if k.startswith("ledger_w"):
            workers = int(k.removeprefix("ledger_w"))
            bound = f"; idle-machine bound {capacity(figs[k], workers):,.0f}/s"
        print("  " + _row(figs[k]))
        print(_cpu_row(figs[k]) + bound)
    print(f"  ledger / raw ceiling             {_ratio(top.rate, raw.rate):7.1%}")
    print()
    ratios = {
        "ledger_p99_ms": top.pct(0.99),
        "ledger_vs_trivial": _ratio(top.rate, figs["trivial"].rate),
    }
    print_aims(top, ratios)


def report(
    figs: dict[str, Figure], facts: dict[str, str], cfg: Config, argv: list[str]
) -> dict[str, Any]:
    raw, peer = figs["raw"], figs["peer"]
    ledger_keys = [k for k in figs if k.startswith("ledger_w")]
    best_key = max(ledger_keys, key=lambda k: figs[k].rate)
    best = figs[best_key]
    top_key = max(ledger_keys, key=lambda k: int(k.removeprefix("ledger_w")))
    short, long = figs["latency_short"], figs["latency_long"]
    peer_short, peer_long = figs["peer_latency_short"], figs["peer_latency_long"]
    estimates = {k: capacity(figs[k], int(k.removeprefix("ledger_w"))) for k in ledger_keys}
    estimates["peer"] = capacity(peer, 1)  # threads share one GIL
    ratios = {
        "ledger_vs_raw": _ratio(best.rate, raw.rate),
        "ledger_vs_peer": _ratio(best.rate, peer.rate),
        "ledger_vs_trivial": _ratio(figs[top_key].rate, figs["trivial"].rate),
        "ledger_p99_ms": figs[top_key].pct(0.99),
        "ledger_vs_peer_cpu": _ratio(max(estimates[k] for k in ledger_keys), estimates["peer"]),
        "latency_long_vs_short_p50": _ratio(long.pct(0.5), short.pct(0.5)),
        "latency_long_vs_short_p99": _ratio(long.pct(0.99), short.pct(0.99)),
        "latency_long_vs_short_p50_unvacuumed": _ratio(
            figs["latency_long_unvacuumed"].pct(0.5), figs["latency_short_unvacuumed"].pct(0.5)
        ),
        "peer_latency_long_vs_short_p50": _ratio(peer_long.pct(0.5), peer_short.pct(0.5)),
    }
    sys.stderr.flush()
    print()
    print("Ledger benchmark")
    print(f"  command   : {' '.join(shlex.quote(a) for a in argv)}")
    print(f"  ledger    : {facts['ledger']}")
    print(
        f"  machine   : {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}"
    )
    print(
        f"  postgres  : {facts['version']} (synchronous_commit={facts['synchronous_commit']}, "
        f"fsync={facts['fsync']}, shared_buffers={facts['shared_buffers']})"
    )
    print(
        f"  sizes     : clients={cfg.clients} duration={cfg.duration}s warmup={cfg.warmup}s "
        f"accounts={cfg.accounts} history={cfg.history} samples={cfg.samples}"
    )
    print()
    print("(1) ceiling")
    print("  " + _row(raw))
    print(_cpu_row(raw))
    print("(2) ledger service over HTTP")
    for k in ledger_keys:
        print("  " + _row(figs[k]))
        print(_cpu_row(figs[k]) + f"; idle-machine bound {estimates[k]:,.0f}/s")
    trivial = figs["trivial"]
    print("  " + _row(trivial))
    print("(3) peer")
    print("  " + _row(peer))
    print(_cpu_row(peer) + f"; idle-machine bound {estimates['peer']:,.0f}/s")
    print("(4) command latency vs history")
    for key in ("latency_short_unvacuumed", "latency_long_unvacuumed"):
        print("  " + _row(figs[key]))
    for f in (short, long, peer_short, peer_long):
        print("  " + _row(f))
    print()
    print("ratios")
    print(f"  ledger / raw ceiling             {ratios['ledger_vs_raw']:7.1%}   ({best.name})")
    print(
        f"  ledger / eventsourcing peer      {ratios['ledger_vs_peer']:7.2f}x  "
        f"(by CPU per command: {ratios['ledger_vs_peer_cpu']:.2f}x)"
    )
    n_long, n_short = (f.name.split(", ")[1].split()[0] for f in (long, short))
    label = f"latency@{n_long} / latency@{n_short}"
    print(
        f"  {label:<32} {ratios['latency_long_vs_short_p50']:7.2f}x  (p50, vacuumed; "
        f"p99 {ratios['latency_long_vs_short_p99']:.2f}x; just built, before any vacuum: "
        f"{ratios['latency_long_vs_short_p50_unvacuumed']:.2f}x)"
    )
    print(
        f"  {'the peer (replays, no snapshots)':<32} "
        f"{ratios['peer_latency_long_vs_short_p50']:7.1f}x  (p50)"
    )
    print()
    print_aims(figs[top_key], ratios)
    return {
        "argv": argv,
        "config": asdict(cfg),
        "postgres": facts,
        "figures": {k: f.summary() for k, f in figs.items()},
        "idle_machine_bound": {k: round(v, 1) for k, v in estimates.items()},
        "ratios": {k: round(v, 3) for k, v in ratios.items()},
    }


# --------------------------------------------------------------------------------------


def parse(argv: list[str]) -> tuple[argparse.Namespace, Config, ScaleConfig]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--quick", action="store_true", help="tiny sizes: a few seconds in all")
    p.add_argument(
        "--singles",
        action="store_true",
        help="only the single-command figures: ceiling, ledger over HTTP, trivial endpoint",
    )
    p.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="superuser URL of the PostgreSQL server (default: "
        "$BENCH_DATABASE_URL, else an embedded server)",
    )
    p.add_argument("--clients", type=int)
    p.add_argument("--duration", type=float, help="seconds per throughput figure")
    p.add_argument("--warmup", type=float)
    p.add_argument("--accounts", type=int)
    p.add_argument("--workers", help="uvicorn worker counts to try, e.g. 1,2")
    p.add_argument("--history", type=int, help="events on the long account")
    p.add_argument("--samples", type=int, help="commands timed per history length")
    p.add_argument("--json", type=Path, help="also write the results here as JSON")
    p.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    p.add_argument("--scale-accounts", type=int, help="accounts built for sections 5-7")
    p.add_argument("--batch", type=int, help="commands per batch in section 5")
    p.add_argument(
        "--reads", action="store_true", help="bench/scale.py: sections 6-7 too (reads, rebuild)"
    )
    args = p.parse_args(argv)
    cfg = Config.quick() if args.quick else Config()
    overrides: dict[str, Any] = {
        k: getattr(args, k)
        for k in ("clients", "duration", "warmup", "accounts", "history", "samples")
        if getattr(args, k) is not None
    }
    if args.workers:
        overrides["workers"] = tuple(int(w) for w in args.workers.split(","))
    scale = ScaleConfig.quick() if args.quick else ScaleConfig()
    if args.scale_accounts:
        scale = replace(scale, accounts=args.scale_accounts)
    if args.batch:
        scale = replace(scale, batch=args.batch)
    return args, Config(**{**asdict(cfg), **overrides}), scale


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args, cfg, scale = parse(argv)
    shown = ["bench/run.py", *argv]
    figs: dict[str, Figure] = {}
    consumed: dict[str, Figure] = {}
    with database_server(args.database_url) as admin_url:
        facts = server_facts(admin_url)
        facts["ledger"] = ledger_revision()
        dbs = Databases(admin_url, keep=args.keep)
        try:
            log("raw ceiling")
            figs["raw"] = run_raw(dbs, cfg)
            schema: str | None = None
            for workers in cfg.workers:
                if schema is None:  # migrate once, copy the empty schema for each run
                    schema = database_name(dbs.make("ledger_schema"))
                    migrate(asyncpg_url(dbs.admin_url, schema))
                db_url = dbs.make(f"ledger_w{workers}", template=schema)
                with ledger_server(db_url, workers) as server:
                    log(f"ledger, {workers} worker(s)")
                    figs[f"ledger_w{workers}"] = run_ledger(db_url, server, cfg, workers)
                    if args.singles:
                        continue
                    if workers == cfg.workers[0]:
                        log("latency vs history")
                        figs.update(run_history(server.port, cfg, db_url))
                    if workers == max(cfg.workers):
                        log("consumers: dunning and commission follow and replay the feed")
                        consumed = run_consumers(dbs, db_url, server.port)
            log("trivial FastAPI endpoint")
            top = max(cfg.workers)
            figs["trivial"] = run_trivial(top, cfg.clients, cfg.warmup, cfg.duration)
            if args.singles:
                report_singles(figs, facts, shown)
                return 0
            log("eventsourcing peer")
            peer_url = asyncpg_url(dbs.make("peer"))
            figs["peer"], figs["peer_latency_short"], figs["peer_latency_long"] = run_peer(
                peer_url, cfg
            )
            assert schema is not None
            scaled = run_scale(dbs, schema, scale)
        finally:
            dbs.drop_all()
    result = report(figs, facts, cfg, shown)
    print()
    result["ratios"].update(
        {k: round(v, 3) for k, v in report_scale(scaled, _row, _cpu_row).items()}
    )
    result["figures"].update({k: f.summary() for k, f in scaled.items()})
    print()
    top = figs[f"ledger_w{max(cfg.workers)}"]
    result["ratios"].update(
        {k: round(v, 3) for k, v in report_consumers(consumed, top.rate, _row).items()}
    )
    result["figures"].update({k: f.summary() for k, f in consumed.items()})
    result["scale_config"] = asdict(scale)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Ledger benchmark, part two: batch ingest against raw COPY, reads at scale, rebuild.

5. **batch ingest** -- ``POST /v1/batches`` of ``batch`` commands each (an account opened,
   four invoices, three payments each settling the oldest invoice: 11 events per account),
   two batches in flight against ``ledger serve --workers 2``, until ``accounts`` accounts
   exist. Events/s over the whole build, against **raw COPY**: the same number of event
   rows (built beforehand) copied into an empty ``events`` table of the same schema, in
   chunks of ``batch`` rows, two connections; and against **raw COPY of a batch's rows**:
   everything the build wrote (events, journal lines, idempotency records, projection
   rows), read back one of its transactions at a time and written again into an empty
   schema in the same transactions -- the rows copied, the projections upserted as the
   batch upserts them -- two connections: the best a batch could do with its projections
   kept in the same transaction, and what is left to the Python side.
6. **reads at scale** -- on the database the build left (about 11 events per account),
   after ``VACUUM ANALYZE``: ``GET /v1/accounts/{id}/balance`` of random accounts, one at
   a time (p50/p99), and ``GET /v1/reports/aging`` over every account (each run timed).
7. **projection rebuild** -- ``ledger rebuild-projections`` (fold every stream, compare
   with the live tables) on the same database; events/s.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from harness import (
    CpuMeter,
    Databases,
    Figure,
    HttpClient,
    database_server,
    ledger_env,
    ledger_server,
    log,
    migrate,
    run_async,
)

from devstack.pgurl import asyncpg_url, database_name, libpq_url

START = date(2026, 1, 1)
EVENTS_PER_ACCOUNT = 11


@dataclass(frozen=True)
class ScaleConfig:
    accounts: int = 100_000  # about 1.1M events
    batch: int = 10_000  # commands per batch (and rows per raw COPY)
    balance_samples: int = 2_000
    aging_runs: int = 3

    @classmethod
    def quick(cls) -> ScaleConfig:
        return cls(accounts=400, batch=800, balance_samples=50, aging_runs=1)


def _money(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def account_items(n: int) -> list[dict[str, Any]]:
    """Eight commands on account ``n``: open, four invoices, three payments (oldest first)."""
    a = f"SCALE-{n:07d}"
    issued = START + timedelta(days=n % 120)
    open_body = {
        "account_id": a,
        "name": f"Customer {n}",
        "currency": "SGD",
        "jurisdiction": "SG" if n % 3 else "HK",
        "credit_limit": "100000.00",
        "payment_terms_days": 30,
        "opened_on": START.isoformat(),
    }
    items: list[dict[str, Any]] = [{"op": "open_account", "body": open_body}]
    for k in range(4):
        line = {"description": "Premium", "amount": _money(10_000 + 100 * k + n % 97)}
        body = {
            "invoice_id": f"INV-{k}",
            "issue_date": (issued + timedelta(days=30 * k)).isoformat(),
            "due_date": (issued + timedelta(days=30 * k + 30)).isoformat(),
            "lines": [line],
        }
        items.append({"op": "issue_invoice", "account_id": a, "body": body})
    for k in range(3):
        body = {
            "payment_id": f"PAY-{k}",
            "amount": _money(10_000 + 100 * k + n % 97),
            "received_on": (issued + timedelta(days=30 * k + 20)).isoformat(),
            "method": "bank_transfer",
        }
        items.append({"op": "receive_payment", "account_id": a, "body": body})
    return items


async def _ingest(port: int, cfg: ScaleConfig, fig: Figure) -> None:
    per_batch = max(1, cfg.batch // 8)
    starts = list(range(0, cfg.accounts, per_batch))
    queue = list(reversed(starts))

    async def poster() -> None:
        client = HttpClient("127.0.0.1", port)
        try:
            while queue:
                first = queue.pop()
                items = [
                    i
                    for n in range(first, min(first + per_batch, cfg.accounts))
                    for i in account_items(n)
                ]
                t0 = time.perf_counter()
                status, data = await client.post("/v1/batches", items)
                fig.latencies.append(time.perf_counter() - t0)
                # a new connection per batch: building the next one may outlast keep-alive
                await client.close()
                out = json.loads(data) if status == 200 else {"failed": len(items)}
                if out["failed"]:
                    fig.errors += out["failed"]
                    log(f"batch answered {status}: {data[:300]!r}")
        finally:
            await client.close()

    begin = time.perf_counter()
    await asyncio.gather(poster(), poster())
    fig.seconds = time.perf_counter() - begin


def _event_rows(count: int) -> list[tuple[Any, ...]]:
    """Event rows shaped like the ledger's, chained per stream (the append trigger that
    moves the stream heads checks each row's version and previous hash)."""
    now = datetime.now(UTC)
    data = json.dumps({"invoice_id": "INV-0", "amount": "100.00", "currency": "SGD"})
    rows = []
    prev: bytes | None = None
    for n in range(count):
        version = n % EVENTS_PER_ACCOUNT + 1
        digest = os.urandom(32)
        rows.append(
            (
                n + 1,
                f"RAW-{n // EVENTS_PER_ACCOUNT:07d}",
                version,
                uuid.uuid4(),
                "InvoiceIssued",
                1,
                data,
                START,
                now,
                "bench",
                None,
                None,
                None,
                None if version == 1 else prev,
                digest,
                2,
            )
        )
        prev = digest
    return rows


@dataclass(frozen=True)
class Chunk:
    """One transaction of a raw COPY: rows ready to copy, table by table, then (as a batch
    writes them) the projection rows upserted as JSON, accounts, items and payments."""

    events: int
    copies: list[tuple[str, list[tuple[Any, ...]], list[str]]]  # table, rows, columns
    upserts: tuple[str, str, str] | None = None


async def _copy_chunks(url: str, fig: Figure, chunks: list[Chunk], meter: CpuMeter) -> Figure:
    """Every chunk in its own transaction, two connections; events/s and CPU per event."""
    from ledger.adapters.postgres.batch_store import UPSERT_MANY

    conns = [await asyncpg.connect(url) for _ in range(2)]

    async def copier(conn: asyncpg.Connection) -> None:
        while chunks:
            part = chunks.pop()
            t0 = time.perf_counter()
            async with conn.transaction():
                for table, records, columns in part.copies:
                    await conn.copy_records_to_table(table, records=records, columns=columns)
                if part.upserts is not None:
                    await conn.fetchval(UPSERT_MANY, *part.upserts)
            fig.latencies.append(time.perf_counter() - t0)
            fig.count += part.events

    try:
        begin = time.perf_counter()
        meter.start()
        await asyncio.gather(*(copier(c) for c in conns))
        fig.seconds = time.perf_counter() - begin
        fig.cpu = meter.stop(fig.count)
    finally:
        for c in conns:
            await c.close()
    return fig


def _raw_chunks(events: int, chunk: int) -> list[Chunk]:
    from ledger.adapters.postgres.batch_store import EVENT_COLUMNS

    rows = _event_rows(events)
    chunk -= chunk % EVENTS_PER_ACCOUNT  # whole streams per chunk: chunks go in any order
    return [
        Chunk(len(part), [("events", part, EVENT_COLUMNS)])
        for part in (rows[i : i + chunk] for i in range(0, len(rows), chunk))
    ]


# What one of the batch's transactions wrote, by the transaction's id (the high bits of
# its events' positions): its events, their journal lines, the idempotency records and
# projection rows of the accounts whose streams they are (each account's commands went in
# one transaction).
_TRANSACTIONS = "SELECT DISTINCT position >> $1 FROM events ORDER BY 1"
_PROJECTIONS = """
SELECT (SELECT coalesce(jsonb_agg(a), '[]') FROM accounts a WHERE account_id = ANY($1))::text,
       (SELECT coalesce(jsonb_agg(i), '[]') FROM open_items i WHERE account_id = ANY($1))::text,
       (SELECT coalesce(jsonb_agg(p), '[]') FROM payments p WHERE account_id = ANY($1))::text
"""
_WRITTEN = (
    "SELECT ARRAY[(SELECT count(*) FROM events), (SELECT count(*) FROM journal), "
    "(SELECT count(*) FROM commands), (SELECT count(*) FROM accounts), "
    "(SELECT count(*) FROM open_items), (SELECT count(*) FROM payments), "
    "(SELECT count(*) FROM streams)]"
)


async def _batch_chunks(url: str) -> list[Chunk]:
    """The rows the batch build wrote, read back one of its transactions at a time, ready
    to be written again as that transaction wrote them."""
    from ledger.adapters.postgres.batch_store import (
        COMMAND_COLUMNS,
        EVENT_COLUMNS,
        JOURNAL_COLUMNS,
    )
    from ledger.application.sealing import ORDINAL_BITS

    def select(table: str, columns: list[str], where: str, order: str) -> str:
        return f"SELECT {', '.join(columns)} FROM {table} WHERE {where} ORDER BY {order}"

    in_tx = "position >> $1 = $2"
    conn = await asyncpg.connect(url)
    chunks = []
    try:
        for tx in [r[0] for r in await conn.fetch(_TRANSACTIONS, ORDINAL_BITS)]:
            events = await conn.fetch(
                select("events", EVENT_COLUMNS, in_tx, "position"), ORDINAL_BITS, tx
            )
            journal = await conn.fetch(
                select("journal", JOURNAL_COLUMNS, in_tx, "position, line_no"), ORDINAL_BITS, tx
            )
            accounts = sorted({e["stream_id"] for e in events})
            commands = await conn.fetch(
                select("commands", COMMAND_COLUMNS, "account_id = ANY($1)", "account_id"),
                accounts,
            )
            copies = [
                ("events", [tuple(r) for r in events], EVENT_COLUMNS),
                ("journal", [tuple(r) for r in journal], JOURNAL_COLUMNS),
                ("commands", [tuple(r) for r in commands], COMMAND_COLUMNS),
            ]
            upserts = tuple(await conn.fetchrow(_PROJECTIONS, accounts))
            chunks.append(Chunk(len(events), copies, upserts))
    finally:
        await conn.close()
    return chunks


async def sql(url: str, sql: str) -> Any:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def balances(
    port: int, accounts: list[str], samples: int, fig: Figure, as_of: str = "2026-12-31"
) -> None:
    """``samples`` balances of random ``accounts``, one at a time."""
    rng = random.Random(7)
    client = HttpClient("127.0.0.1", port)
    try:
        for _ in range(samples):
            a = rng.choice(accounts)
            t0 = time.perf_counter()
            status, _ = await client.get(f"/v1/accounts/{a}/balance?as_of={as_of}")
            fig.latencies.append(time.perf_counter() - t0)
            fig.count += status == 200
            fig.errors += status != 200
        fig.seconds = sum(fig.latencies)
    finally:
        await client.close()


async def aging(port: int, runs: int, fig: Figure, as_of: str = "2026-12-31") -> None:
    """The aging report over every account, ``runs`` times."""
    client = HttpClient("127.0.0.1", port)
    try:
        for _ in range(runs):
            t0 = time.perf_counter()
            status, data = await client.get(f"/v1/reports/aging?as_of={as_of}")
            fig.latencies.append(time.perf_counter() - t0)
            fig.count += status == 200
            fig.errors += status != 200
            fig.note = f"{len(json.loads(data).get('accounts', []))} accounts in the report"
        fig.seconds = sum(fig.latencies)
    finally:
        await client.close()


def _rebuild(db_url: str, events: int) -> Figure:
    """``ledger rebuild-projections`` in a subprocess: events/s, and the CPU per event of
    the job (its own process) and of PostgreSQL."""
    fig = Figure("projection rebuild (ledger rebuild-projections)")
    cmd = [sys.executable, "-m", "ledger.cli", "rebuild-projections"]
    meter = CpuMeter(database_name(db_url))
    meter.start()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=ledger_env(db_url), capture_output=True, text=True, check=False)
    fig.seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    fig.count = events
    job = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    fig.cpu = {k: v for k, v in meter.stop(events).items() if k != "client_ms"}
    fig.cpu["rebuild_ms"] = 1000 * job / max(events, 1)
    if "other_cores" in fig.cpu:  # the job ran as a child: not another process's work
        fig.cpu["other_cores"] = max(0.0, fig.cpu["other_cores"] - job / fig.seconds)
    if done.returncode != 0:
        fig.errors = 1
        log(f"rebuild-projections exited {done.returncode}: {done.stdout[-300:]}")
    return fig


def _build(port: int, server_pid: int, db_url: str, cfg: ScaleConfig) -> Figure:
    """Section 5's build: every account through ``POST /v1/batches``, CPU per event."""
    log(f"batch ingest: {cfg.accounts:,} accounts in batches of {cfg.batch:,}")
    ingest = Figure(f"batch ingest, batches of {cfg.batch:,}, --workers 2")
    meter = CpuMeter(database_name(db_url), server_pid)
    meter.start()
    run_async(lambda: _ingest(port, cfg, ingest))
    ingest.count = run_async(lambda: sql(libpq_url(db_url), "SELECT count(*) FROM events"))
    ingest.cpu = meter.stop(ingest.count)
    ingest.note = f"{cfg.accounts * 8:,} commands; latency per batch"
    return ingest


def _copy(dbs: Databases, schema: str, events: int, cfg: ScaleConfig) -> Figure:
    log("raw COPY")
    raw_url = libpq_url(dbs.make("raw_copy", template=schema))
    meter = CpuMeter(database_name(raw_url))
    fig = Figure("raw COPY into events")
    run_async(lambda: _copy_chunks(raw_url, fig, _raw_chunks(events, cfg.batch), meter))
    fig.note = f"chunks of {cfg.batch:,} rows, 2 connections"
    return fig


def _copy_batch_rows(dbs: Databases, schema: str, built_url: str) -> Figure:
    """Raw COPY of everything the build wrote, one of its transactions per chunk, into a
    fresh database; errors if the copy does not hold the same rows as the build."""
    log("raw COPY of the batches' rows")
    source = libpq_url(built_url)
    chunks = run_async(lambda: _batch_chunks(source))
    transactions = len(chunks)
    url = libpq_url(dbs.make("batch_rows", template=schema))
    meter = CpuMeter(database_name(url))
    fig = Figure("raw COPY of the batches' rows")
    run_async(lambda: _copy_chunks(url, fig, chunks, meter))
    built = run_async(lambda: sql(source, _WRITTEN))
    copied = run_async(lambda: sql(url, _WRITTEN))
    if built != copied:
        fig.errors += 1
        log(f"the copy wrote {copied} rows, the build {built}")
    fig.note = f"{transactions:,} transactions as the build's, 2 connections"
    return fig


def _reads(
    port: int, server_pid: int, db_url: str, cfg: ScaleConfig, events: int
) -> dict[str, Figure]:
    """Section 6: balances one at a time, then the aging report, with the CPU per request
    of the server and of PostgreSQL."""
    balance = Figure(f"balance, {events:,} events")
    accounts = [f"SCALE-{n:07d}" for n in range(cfg.accounts)]
    meter = CpuMeter(database_name(db_url), server_pid)
    meter.start()
    run_async(lambda: balances(port, accounts, cfg.balance_samples, balance))
    balance.cpu = meter.stop(balance.count)
    report = Figure(f"aging report, {cfg.accounts:,} accounts")
    meter.start()
    run_async(lambda: aging(port, cfg.aging_runs, report))
    report.cpu = meter.stop(report.count)
    return {"balance": balance, "aging": report}


def run_ingest(dbs: Databases, schema: str, cfg: ScaleConfig) -> dict[str, Figure]:
    """Section 5 alone (batch ingest and raw COPY), as ``bench/scale.py`` runs it."""
    db_url = dbs.make("scale", template=schema)
    with ledger_server(db_url, 2) as server:
        ingest = _build(server.port, server.pid, db_url, cfg)
    return {
        "batch_ingest": ingest,
        "raw_copy": _copy(dbs, schema, ingest.count, cfg),
        "raw_copy_batch_rows": _copy_batch_rows(dbs, schema, db_url),
    }


def run_scale(dbs: Databases, schema: str, cfg: ScaleConfig) -> dict[str, Figure]:
    """Sections 5-7 on fresh copies of the migrated ``schema`` database."""
    db_url = dbs.make("scale", template=schema)
    figs: dict[str, Figure] = {}
    with ledger_server(db_url, 2) as server:
        ingest = figs["batch_ingest"] = _build(server.port, server.pid, db_url, cfg)
        run_async(lambda: sql(libpq_url(db_url), "VACUUM ANALYZE"))
        log("reads at scale")
        figs.update(_reads(server.port, server.pid, db_url, cfg, ingest.count))
    log("projection rebuild")
    figs["rebuild"] = _rebuild(db_url, ingest.count)
    figs["raw_copy"] = _copy(dbs, schema, ingest.count, cfg)
    figs["raw_copy_batch_rows"] = _copy_batch_rows(dbs, schema, db_url)
    return figs


AIM_ACCOUNTS = 100_000  # the aging aim's size

AIMS = {
    "batch_vs_copy": 0.5,  # batch ingest events/s / raw COPY events/s, at least
    "balance_p99_ms": 5.0,  # at most
    "aging_s": 1.0,  # at most, over AIM_ACCOUNTS accounts
    "rebuild_events_per_s": 20_000.0,  # at least
}


def _cpu_per_event(fig: Figure) -> float:
    return sum(v for k, v in fig.cpu.items() if k in ("server_ms", "postgres_ms"))


def _verdict(value: float, aim: float, at_least: bool) -> str:
    return "met" if (value >= aim if at_least else value <= aim) else "NOT met"


def report_ingest(figs: dict[str, Figure], row: Any, cpu_row: Any) -> dict[str, float]:
    """Section 5's figures and the batch aim."""
    ingest, raw, rows = figs["batch_ingest"], figs["raw_copy"], figs["raw_copy_batch_rows"]
    ratios: dict[str, float] = {}
    for name, fig, yardstick in (
        ("batch_vs_copy", ingest, raw),
        ("batch_rows_vs_copy", rows, raw),
        ("batch_vs_batch_rows", ingest, rows),
    ):
        ratios[name] = fig.rate / yardstick.rate if yardstick.rate else float("nan")
        cpu = _cpu_per_event(fig)
        ratios[f"{name}_cpu"] = _cpu_per_event(yardstick) / cpu if cpu else float("nan")
    print("(5) batch ingest (events/s)")
    for fig in (ingest, raw, rows):
        print("  " + row(fig) + (f"  [{fig.note}]" if fig is rows else ""))
        print(cpu_row(fig).replace("command", "event"))
    print("  (CPU per event: server + PostgreSQL; the raw COPYs' client is left out)")
    for name, label in (
        ("batch_vs_copy", "batch / raw COPY of events"),
        ("batch_rows_vs_copy", "raw COPY of a batch's rows / raw COPY of events"),
        ("batch_vs_batch_rows", "batch / raw COPY of a batch's rows"),
    ):
        print(
            f"  {label:<48} {ratios[name]:7.1%}   (by CPU per event: {ratios[name + '_cpu']:.1%})"
        )
    return ratios


def print_batch_aim(ratios: dict[str, float]) -> None:
    aim = AIMS["batch_vs_copy"]
    print(
        f"  batch ingest / raw COPY          {ratios['batch_vs_copy']:7.1%}   "
        f"aim >= {aim:.0%}: {_verdict(ratios['batch_vs_copy'], aim, True)} "
        f"(by server + PostgreSQL CPU per event: {ratios['batch_vs_copy_cpu']:.1%})"
    )


def report_scale(figs: dict[str, Figure], row: Any, cpu_row: Any) -> dict[str, float]:
    balance, aging, rebuild = figs["balance"], figs["aging"], figs["rebuild"]
    ratios = report_ingest(figs, row, cpu_row)
    ratios.update(
        {
            "balance_p99_ms": balance.pct(0.99),
            "aging_s": max(aging.latencies) if aging.latencies else float("nan"),
            "rebuild_events_per_s": rebuild.rate,
        }
    )
    # The aim is over AIM_ACCOUNTS accounts: a smaller build is judged on the report's
    # time scaled by accounts (its cost grows with them), and says so.
    shown = int(aging.note.split()[0]) if aging.note else 0
    ratios["aging_s_at_aim"] = (
        ratios["aging_s"] * AIM_ACCOUNTS / shown if 0 < shown < AIM_ACCOUNTS else ratios["aging_s"]
    )

    def verdict(name: str, at_least: bool) -> str:
        return _verdict(ratios[name], AIMS[name], at_least)

    print("(6) reads at scale")
    print("  " + row(balance))
    print(cpu_row(balance).replace("command", "request"))
    print("  " + row(aging) + f"  [{aging.note}]")
    print(cpu_row(aging).replace("command", "report"))
    print("(7) projection rebuild (events/s)")
    print("  " + row(rebuild))
    print(cpu_row(rebuild).replace("command", "event"))
    print()
    print("aims (scale)")
    print_batch_aim(ratios)
    print(
        f"  balance p99                      {ratios['balance_p99_ms']:7.2f} ms "
        f"aim <= {AIMS['balance_p99_ms']:.0f} ms: {verdict('balance_p99_ms', False)}"
    )
    at_aim = ratios["aging_s_at_aim"]
    label = f"aging over {aging.name.split(', ')[1]}"
    print(f"  {label:<32} {ratios['aging_s']:7.2f} s  (slowest run)")
    label = f"aging, {AIM_ACCOUNTS:,} accounts" + (
        " (scaled)" if at_aim != ratios["aging_s"] else ""
    )
    print(
        f"  {label:<32} {at_aim:7.2f} s  "
        f"aim <= {AIMS['aging_s']:.0f} s: {_verdict(at_aim, AIMS['aging_s'], False)}"
    )
    print(
        f"  projection rebuild               {ratios['rebuild_events_per_s']:7,.0f}/s "
        f"aim >= {AIMS['rebuild_events_per_s']:,.0f}/s: {verdict('rebuild_events_per_s', True)}"
    )
    return ratios


def main(argv: list[str] | None = None) -> int:
    """Section 5 alone: ``bench/scale.py --database-url URL --scale-accounts 10000``;
    with ``--reads``, sections 5-7 (reads and the rebuild on the database built)."""
    from run import _cpu_row, _row, parse  # run.py imports this module: import on use

    args, _, cfg = parse(sys.argv[1:] if argv is None else argv)
    with database_server(args.database_url) as admin_url:
        dbs = Databases(admin_url, keep=args.keep)
        try:
            schema = database_name(dbs.make("ledger_schema"))
            migrate(asyncpg_url(dbs.admin_url, schema))
            figs = (run_scale if args.reads else run_ingest)(dbs, schema, cfg)
        finally:
            dbs.drop_all()
    if args.reads:
        ratios = report_scale(figs, _row, _cpu_row)
    else:
        ratios = report_ingest(figs, _row, _cpu_row)
        print()
        print("aims (batch ingest)")
        print_batch_aim(ratios)
    if args.json:
        result = {
            "figures": {k: f.summary() for k, f in figs.items()},
            "ratios": {k: round(v, 3) for k, v in ratios.items()},
            "scale_config": {"accounts": cfg.accounts, "batch": cfg.batch},
        }
        args.json.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

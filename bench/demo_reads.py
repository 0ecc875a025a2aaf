"""Reads on the demo portfolio: balances and the aging report over the year ``make demo``
loads, instead of the synthetic accounts of ``bench/scale.py``.

The portfolio is the console's own demo plan (``console.demo.plan``: about 2,000 group
policies in SG and HK, monthly and quarterly invoices, payments with realistic lateness,
disputes, bounced payments, write-offs), and its ledger calls are sent as the demo sends
them (``POST /v1/batches``, each account's calls in order), to a fresh ledger database
behind ``ledger serve --workers 2``. After ``VACUUM ANALYZE``: the balance of random demo
accounts, one at a time (p50/p99), and the aging report over every account (each run
timed), both as of the portfolio's last day.

    .venv/bin/python bench/demo_reads.py                       # embedded PostgreSQL, minutes
    .venv/bin/python bench/demo_reads.py --policies 200 --database-url postgresql://...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from harness import (
    ISSUER,
    Databases,
    Figure,
    HttpClient,
    database_server,
    ledger_server,
    log,
    migrate,
    run_async,
)
from scale import aging, balances, sql

from console.demo.load import batch_item, batches
from console.demo.model import Portfolio
from console.demo.plan import plan
from devstack.pgurl import libpq_url
from servicekit.auth import ADMIN

# What `make demo` loads with: its calls include disputes and write-offs, beyond a poster's.
DEMO_TOKEN = ISSUER.mint("bench-demo", roles=[ADMIN], audience="ledger", expires_in=86400)


async def load(port: int, portfolio: Portfolio, fig: Figure, concurrency: int = 2) -> None:
    """The portfolio's ledger calls, in the demo's batches, ``concurrency`` at once."""
    queue = list(reversed(batches(portfolio.accounts)))

    async def poster() -> None:
        client = HttpClient("127.0.0.1", port, token=DEMO_TOKEN)
        try:
            while queue:
                calls = queue.pop()
                t0 = time.perf_counter()
                status, data = await client.post("/v1/batches", [batch_item(c) for c in calls])
                fig.latencies.append(time.perf_counter() - t0)
                await client.close()  # building the next batch may outlast keep-alive
                results = json.loads(data)["results"] if status == 200 else []
                fig.errors += sum(r["status"] >= 400 for r in results) or (status != 200)
                fig.count += len(calls)
        finally:
            await client.close()

    begin = time.perf_counter()
    await asyncio.gather(*(poster() for _ in range(concurrency)))
    fig.seconds = time.perf_counter() - begin


def account_ids(portfolio: Portfolio) -> list[str]:
    """Each account's id, from the body of the call that opens it."""
    return [str(calls[0].body["account_id"]) for calls in portfolio.accounts]


def run(admin_url: str, args: argparse.Namespace) -> dict[str, Figure]:
    portfolio = plan(seed=args.seed, policies=args.policies, through=args.through)
    accounts = account_ids(portfolio)
    as_of = portfolio.through.isoformat()
    dbs = Databases(admin_url, keep=args.keep)
    figs: dict[str, Figure] = {}
    try:
        db_url = dbs.make("demo_reads")
        migrate(db_url)
        with ledger_server(db_url, 2) as server:
            log(f"loading the demo portfolio: {len(accounts):,} accounts")
            figs["load"] = Figure(f"demo portfolio load, {portfolio.policies:,} policies")
            run_async(lambda: load(server.port, portfolio, figs["load"]))
            events = run_async(lambda: sql(libpq_url(db_url), "SELECT count(*) FROM events"))
            figs["load"].note = f"{len(accounts):,} accounts, {events:,} events; per batch"
            run_async(lambda: sql(libpq_url(db_url), "VACUUM ANALYZE"))
            log("reads on the demo portfolio")
            figs["balance"] = Figure(f"balance, demo portfolio, {events:,} events")
            run_async(lambda: balances(server.port, accounts, args.samples, figs["balance"], as_of))
            figs["aging"] = Figure(f"aging report, demo portfolio, {len(accounts):,} accounts")
            run_async(lambda: aging(server.port, args.aging_runs, figs["aging"], as_of))
    finally:
        dbs.drop_all()
    return figs


def report(figs: dict[str, Figure]) -> None:
    head = f"{'count':>9}{'seconds':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
    print(f"{'demo portfolio':<52}{head}")
    for fig in figs.values():
        print(
            f"{fig.name:<52}{fig.count:>9,}{fig.seconds:>9.2f}{fig.pct(0.5):>9.1f}"
            f"{fig.pct(0.99):>9.1f}{fig.errors:>8}"
        )
        if fig.note:
            print(f"  {fig.note}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--policies", type=int, default=2000, help="group policies (2000)")
    p.add_argument("--seed", type=int, default=2026, help="the demo's random seed (2026)")
    p.add_argument(
        "--through",
        type=date.fromisoformat,
        default=date(2026, 11, 30),
        help="last day of the demo year (2026-11-30)",
    )
    p.add_argument("--samples", type=int, default=2000, help="balances timed (2000)")
    p.add_argument("--aging-runs", type=int, default=3, help="aging reports timed (3)")
    p.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="superuser URL of the PostgreSQL server (default: $BENCH_DATABASE_URL, "
        "else an embedded server)",
    )
    p.add_argument("--json", type=Path, help="also write the figures here as JSON")
    p.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = p.parse_args(argv)
    with database_server(args.database_url) as admin_url:
        figs = run(admin_url, args)
    report(figs)
    if args.json:
        out: dict[str, Any] = {k: f.summary() for k, f in figs.items()}
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 1 if any(f.errors for f in figs.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Billing benchmark: one billing run over many group policies, against the ledger.

One run, one machine, one PostgreSQL server, three figures:

1. **raw ceiling** -- single-row ``INSERT`` + ``COMMIT`` per transaction with asyncpg (the
   same measurement as ``bench/run.py``), with ``--clients`` connections and with one.
2. **billing run** -- ``--policies`` policies with ``--members`` members in all (two
   products, two tiers), set up in billing's database; ``ledger serve`` in a subprocess with
   one account per policy; then one run as of the term start, in this process, billing
   ``BILLING_RUN_WORKERS`` policies at a time and posting each page's invoices (one per
   policy) through the ledger's ``POST /v1/batches``: invoices/s.
3. **re-run** -- the same run again: every period is billed, nothing is posted (the cost of
   finding that out per policy).

The ratios to the raw ceiling say how far from the commit rate of the database the billing
run is; each invoice costs billing two commits, the ledger a share of a batch.
``--quick`` shrinks it to seconds (the smoke test uses it). Database server: as in
``bench/run.py`` (``--database-url``, ``$BENCH_DATABASE_URL`` or an embedded one).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from harness import POSTER_TOKEN
from run import Config, Databases, Figure, database_server, ledger_server, log, run_raw
from run import migrate as migrate_ledger

from billing.application.ports import FixedClock
from billing.bootstrap import build
from billing.cli import migrate as migrate_billing
from billing.domain import events as ev
from billing.domain.calendar import Frequency, year_end
from billing.domain.state import fold
from billing.settings import Settings
from devstack.pgurl import asyncpg_url

START = date(2026, 1, 1)
PRODUCTS = (
    ev.ProductTerms(
        product="group_medical",
        description="Group medical",
        rates=(
            ev.TierRate(tier="EE", annual_premium=Decimal("1825.00")),
            ev.TierRate(tier="FAM", annual_premium=Decimal("3650.00")),
        ),
        tax_rate=Decimal("0.09"),
    ),
    ev.ProductTerms(
        product="group_life",
        description="Group term life",
        rates=(ev.TierRate(tier="*", annual_premium=Decimal("365.00")),),
    ),
)


def policy_events(n: int, members: int) -> list[ev.Event]:
    pid = f"GP-{n:06d}"
    out: list[ev.Event] = [
        ev.PolicyCreated(
            policy_id=pid,
            account_id=f"ACC-{n:06d}",
            currency="SGD",
            jurisdiction="SG",
            frequency=Frequency.monthly,
            billing_day=1,
            term_start=START,
            term_end=year_end(START),
            products=PRODUCTS,
            reason="bench",
        )
    ]
    out += [
        ev.MemberEnrolled(
            policy_id=pid,
            member_id=f"M{m:05d}",
            name=f"Member {m}",
            tier="FAM" if m % 3 == 0 else "EE",
            start=START,
            reason="bench",
        )
        for m in range(members)
    ]
    return out


AUTH = {"Authorization": f"Bearer {POSTER_TOKEN}"}  # the ledger's bench token


async def set_up(billing_url: str, ledger_port: int, policies: int, members: int) -> None:
    """Accounts in the ledger (its API), policies and members in billing (its store)."""
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{ledger_port}", timeout=60, headers=AUTH
    ) as c:
        sem = asyncio.Semaphore(16)

        async def account(n: int) -> None:
            async with sem:
                r = await c.post(
                    "/v1/accounts",
                    json={
                        "account_id": f"ACC-{n:06d}",
                        "name": f"Group {n}",
                        "currency": "SGD",
                        "jurisdiction": "SG",
                        "credit_limit": "1000000.00",
                        "payment_terms_days": 30,
                        "opened_on": "2025-12-01",
                    },
                )
                r.raise_for_status()

        await asyncio.gather(*(account(n) for n in range(policies)))
    service = build(Settings(database_url=billing_url))
    per, extra = divmod(members, policies)
    try:
        for first in range(0, policies, 200):
            async with service.store.transaction() as s:
                for n in range(first, min(first + 200, policies)):
                    events = policy_events(n, per + (1 if n < extra else 0))
                    policy = fold(events)
                    assert policy is not None
                    await s.append(policy, events, "bench", datetime.now(UTC))
    finally:
        await service.close()


async def billing_runs(billing_url: str, ledger_port: int, workers: int) -> tuple[Figure, Figure]:
    settings = Settings(
        database_url=billing_url,
        ledger_url=f"http://127.0.0.1:{ledger_port}",
        ledger_token=POSTER_TOKEN,
        run_workers=workers,
        db_pool_size=max(10, workers + 2),
    )
    service = build(settings, clock=FixedClock(datetime(2026, 1, 2, 9, tzinfo=UTC)))
    try:
        figs = []
        for label in ("billing run, invoices posted", "billing re-run, nothing to bill"):
            t0 = time.perf_counter()
            report = await service.runs.run(START, "bench")
            fig = Figure(label, seconds=time.perf_counter() - t0)
            assert report.status == "completed", report
            docs = report.summary["documents"].get("invoice", 0)
            fig.count = docs or report.summary["policies_seen"]
            fig.note = f"{workers} workers; {report.summary['totals']}" if docs else "per policy"
            figs.append(fig)
        return figs[0], figs[1]
    finally:
        await service.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=4, help="policies billed at a time")
    parser.add_argument("--clients", type=int, default=32, help="raw ceiling connections")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.quick:
        args.policies, args.members = 40, 400
    raw_cfg = Config(
        clients=args.clients,
        duration=2.0 if args.quick else 10.0,
        warmup=0.5 if args.quick else 2.0,
    )
    with database_server(args.database_url) as admin_url:
        dbs, one = Databases(admin_url), Databases(admin_url)  # each makes one "raw" database
        try:
            log("raw ceiling")
            raw = run_raw(dbs, raw_cfg)
            raw1 = run_raw(one, Config(clients=1, duration=raw_cfg.duration, warmup=raw_cfg.warmup))
            raw1.name = "raw PostgreSQL INSERT+COMMIT, 1 connection"
            ledger_url = asyncpg_url(dbs.make("ledger"))
            billing_url = asyncpg_url(dbs.make("billing"))
            migrate_ledger(ledger_url)
            migrate_billing(Settings(database_url=billing_url))
            with ledger_server(ledger_url, 1) as server:
                log(f"setting up {args.policies} policies, {args.members} members")
                asyncio.run(set_up(billing_url, server.port, args.policies, args.members))
                log("billing run")
                run, rerun = asyncio.run(billing_runs(billing_url, server.port, args.workers))
        finally:
            dbs.drop_all()
            one.drop_all()
    ratio = run.rate / raw.rate if raw.rate else 0.0
    ratio1 = run.rate / raw1.rate if raw1.rate else 0.0
    print(f"billing benchmark: {args.policies} policies, {args.members} members, monthly")
    for fig in (raw, raw1, run, rerun):
        rate = f"{fig.count:>8} in {fig.seconds:7.2f} s = {fig.rate:9.1f}/s"
        print(f"  {fig.name:<48} {rate}  {fig.note}")
    print(f"  billing invoices/s / raw ceiling ({args.clients} connections): {ratio:.3f}")
    print(f"  billing invoices/s / raw ceiling (1 connection): {ratio1:.3f}")
    if args.json:
        out: dict[str, Any] = {
            "policies": args.policies,
            "members": args.members,
            "workers": args.workers,
            "figures": [f.summary() for f in (raw, raw1, run, rerun)],
            "billing_vs_raw": round(ratio, 4),
            "billing_vs_raw_1": round(ratio1, 4),
        }
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

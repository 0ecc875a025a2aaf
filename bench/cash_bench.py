#!/usr/bin/env python3
"""Cash benchmark: a large camt.053 statement imported, matched and posted, against the
ledger's batch rate in the same run.

1. **ledger batch rate** -- ``--lines`` invoices (one per statement line, over
   ``--accounts`` accounts) posted through ``POST /v1/batches`` (10,000 commands a batch):
   commands/s. This is the ceiling for getting money into the ledger in bulk.
2. **cash** -- one camt.053 file of ``--lines`` entries (each paying one invoice, its id in
   the remittance information, payer names as the accounts'): the import (parse, dedupe,
   store the file and its lines) and then matching and posting every line (reference
   lookup, open items asked of the ledger, one payment per line): lines/s for each, and the
   ratio of the whole to the batch rate. Matching reads a page of lines' references and
   open items at once and posts through the ledger's batches, as ``cash import`` does.

Both services run in this process (the ledger's app on an ASGI transport, as the tests
run it), each on its own fresh database of ``--database-url`` (else
``$BENCH_DATABASE_URL``, else an embedded PostgreSQL in a temporary directory); the
databases are dropped at the end. Figures are from one run on one machine: compare them
with each other, not across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "services" / "cash" / "tests" / "integration"))

from samples import IBAN, Entry, camt053  # noqa: E402  (the tests' camt.053 writer)

from servicekit.auth.issuer import LocalIssuer  # noqa: E402

# The ledger verifies a bearer token on every call, as in production: a throwaway issuer;
# cash's token has the roles `make run` gives it.
ISSUER = LocalIssuer("urn:receivables:bench-issuer")
CASH_TOKEN = ISSUER.mint(
    "cash",
    roles=["poster", "auditor", "trusted_service", "credit_controller"],
    audience="ledger",
    expires_in=86400,
)


def _ledger_commands(lines: int, accounts: int) -> list[dict[str, Any]]:
    ops: list[dict[str, Any]] = []
    for a in range(accounts):
        ops.append(
            {
                "op": "open_account",
                "body": {
                    "account_id": f"B-{a}",
                    "name": f"Bench Customer {a:05d} Pte Ltd",
                    "currency": "SGD",
                    "jurisdiction": "SG",
                    "credit_limit": "0.00",
                    "payment_terms_days": 30,
                    "opened_on": "2026-01-01",
                },
            }
        )
    for n in range(lines):
        ops.append(
            {
                "op": "issue_invoice",
                "account_id": f"B-{n % accounts}",
                "body": {
                    "invoice_id": f"BINV-{n:06d}",
                    "issue_date": "2026-01-02",
                    "due_date": "2026-02-01",
                    "lines": [{"description": "Premium", "amount": f"{100 + n % 900}.00"}],
                },
            }
        )
    return ops


async def _post_batches(client: httpx.AsyncClient, ops: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for i in range(0, len(ops), 10_000):
        r = await client.post("/v1/batches", json=ops[i : i + 10_000], timeout=600)
        assert r.status_code in (200, 201, 207), r.text[:500]
        assert r.json()["failed"] == 0, r.text[:500]
    return time.perf_counter() - start


async def _directory_complete(cash: Any, invoices: int) -> None:
    """Follow the ledger's feed until cash knows every invoice. The feed is gap-safe: while
    another transaction is open on the server it holds back what committed after it, so
    one catch-up may stop short."""
    from sqlalchemy import text

    for _ in range(600):
        with contextlib.suppress(TimeoutError):  # a large feed takes more than one go
            await cash.consumer.run_until_caught_up(max_seconds=60)
        async with cash.engine.connect() as conn:
            known = await conn.scalar(text("SELECT count(*) FROM directory_refs"))
        if known >= invoices:
            return
        await asyncio.sleep(0.5)
    raise SystemExit(f"the directory has {known} of {invoices} invoices after waiting")


def run(admin: str, lines: int, accounts: int) -> dict[str, Any]:
    """Fresh databases, migrated (alembic runs its own event loop), measured, dropped."""
    from cash.cli import migrate as migrate_cash
    from cash.settings import Settings as CashSettings
    from devstack.postgres import create_database, drop_database
    from ledger.cli import migrate as migrate_ledger
    from ledger.settings import Settings as LedgerSettings

    tag = uuid.uuid4().hex[:8]
    names = (f"bench_ledger_{tag}", f"bench_cash_{tag}")
    ledger_url, cash_url = (create_database(admin, n) for n in names)
    try:
        ledger_settings = LedgerSettings(
            database_url=ledger_url,
            chain_key="bench-key",
            auth_issuer=ISSUER.issuer,
            auth_jwks=ISSUER.jwks_json(),
        )
        migrate_ledger(ledger_settings)
        migrate_cash(CashSettings(database_url=cash_url))
        return asyncio.run(measure(ledger_settings, cash_url, lines, accounts))
    finally:
        for name in names:
            drop_database(admin, name)


async def measure(ledger_settings: Any, cash_url: str, lines: int, accounts: int) -> dict[str, Any]:
    from cash.adapters.formats import parse
    from cash.application.importing import import_file
    from cash.bootstrap import build as build_cash
    from cash.settings import Settings as CashSettings
    from ledger.adapters.http.app import create_app
    from ledger.bootstrap import build as build_ledger

    ledger = build_ledger(ledger_settings)
    transport = httpx.ASGITransport(app=create_app(ledger))
    headers = {"Authorization": f"Bearer {CASH_TOKEN}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://ledger", headers=headers
    ) as client:
        ops = _ledger_commands(lines, accounts)
        batch_seconds = await _post_batches(client, ops)
        cash = build_cash(
            CashSettings(
                database_url=cash_url,
                consume=False,
                ledger_url="http://ledger",
                bank_accounts={IBAN: "SG"},
            ),
            ledger_client=client,
        )
        await _directory_complete(cash, lines)
        raw = camt053(
            [
                Entry(
                    f"BE-{n:06d}",
                    f"{100 + n % 900}.00",
                    f"BENCH CUSTOMER {n % accounts:05d}",
                    f"BINV-{n:06d}",
                )
                for n in range(lines)
            ]
        )
        start = time.perf_counter()
        done = await import_file(
            cash.app.uow,
            raw,
            filename="bench.xml",
            actor="bench",
            clock=cash.clock,
            parse=lambda b, f: parse(b, f, None),
            bank_accounts=cash.app.bank_accounts,
        )
        imported = time.perf_counter() - start
        outcomes = await cash.app.process(file_id=done.record.file_id)
        total = time.perf_counter() - start
        await cash.close()
    await ledger.close()
    return {
        "lines": lines,
        "accounts": accounts,
        "file_bytes": len(raw),
        "ledger_batch_commands_per_s": round(len(ops) / batch_seconds, 1),
        "cash_import_lines_per_s": round(lines / imported, 1),
        "cash_import_match_post_lines_per_s": round(lines / total, 1),
        "ratio_to_ledger_batch_rate": round((lines / total) / (len(ops) / batch_seconds), 3),
        "outcomes": dict(outcomes),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--lines", type=int, default=50_000)
    p.add_argument("--accounts", type=int, default=1_000)
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = p.parse_args(argv)
    if args.database_url:
        result = run(args.database_url, args.lines, args.accounts)
    else:
        from devstack.postgres import EmbeddedPostgres

        with tempfile.TemporaryDirectory() as tmp:
            server = EmbeddedPostgres(Path(tmp) / "pg")
            admin = server.start()
            try:
                result = run(admin, args.lines, args.accounts)
            finally:
                server.stop()
    for key, value in result.items():
        print(f"{key:38} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

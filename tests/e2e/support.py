"""A small test consumer with its own table, and helpers shared by the stream tests."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from eventfeed import LedgerEvent, create_tables_sql

TABLES_SQL = """
CREATE TABLE totals (
    account_id   text PRIMARY KEY,
    events       integer NOT NULL,
    last_version integer NOT NULL,
    invoiced     numeric NOT NULL DEFAULT 0,
    received     numeric NOT NULL DEFAULT 0
);
CREATE TABLE effects (
    event_id   uuid PRIMARY KEY,
    account_id text NOT NULL,
    version    integer NOT NULL
);
"""


class OutOfOrder(Exception):
    pass


async def create_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute(TABLES_SQL + create_tables_sql())


async def handle(conn: AsyncConnection, event: LedgerEvent) -> None:
    """Counts events per account and refuses a version out of order; a second effect of
    one event would violate the primary key of ``effects``."""
    row = (
        await conn.execute(
            text("SELECT last_version FROM totals WHERE account_id = :a FOR UPDATE"),
            {"a": event.account_id},
        )
    ).first()
    expected = 1 if row is None else row.last_version + 1
    if event.version != expected:
        raise OutOfOrder(f"{event.account_id}: got v{event.version}, expected v{expected}")
    invoiced = event.amount("total") if event.type == "InvoiceIssued" else Decimal(0)
    received = event.amount() if event.type == "PaymentReceived" else Decimal(0)
    await conn.execute(
        text(
            "INSERT INTO totals (account_id, events, last_version, invoiced, received) "
            "VALUES (:a, 1, :v, :i, :r) ON CONFLICT (account_id) DO UPDATE SET "
            "events = totals.events + 1, last_version = :v, "
            "invoiced = totals.invoiced + :i, received = totals.received + :r"
        ),
        {"a": event.account_id, "v": event.version, "i": invoiced, "r": received},
    )
    await conn.execute(
        text("INSERT INTO effects (event_id, account_id, version) VALUES (:e, :a, :v)"),
        {"e": event.event_id, "a": event.account_id, "v": event.version},
    )


async def reset(conn: AsyncConnection) -> None:
    await conn.execute(text("TRUNCATE totals, effects"))


async def totals(engine: AsyncEngine, accounts: list[str]) -> dict[str, tuple[int, int, str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT account_id, events, last_version, invoiced, received FROM totals "
                "WHERE account_id = ANY(:a)"
            ),
            {"a": accounts},
        )
        return {r[0]: (r[1], r[2], str(r[3]), str(r[4])) for r in rows}


async def effects_count(engine: AsyncEngine, accounts: list[str]) -> int:
    async with engine.connect() as conn:
        row = await conn.execute(
            text("SELECT count(*) FROM effects WHERE account_id = ANY(:a)"), {"a": accounts}
        )
        return int(row.scalar_one())


# --- driving the ledger over HTTP ------------------------------------------------------------


def new_accounts(n: int, tag: str) -> list[str]:
    run = uuid.uuid4().hex[:6]
    return [f"S-{tag}-{run}-{i}" for i in range(n)]


async def post(client: httpx.AsyncClient, path: str, body: dict[str, object]) -> None:
    r = await client.post(path, json=body)
    assert r.status_code == 201, r.text


async def open_account(client: httpx.AsyncClient, account_id: str) -> None:
    await post(
        client,
        "/v1/accounts",
        {
            "account_id": account_id,
            "name": f"Customer {account_id}",
            "currency": "SGD",
            "jurisdiction": "SG",
            "credit_limit": "100000.00",
            "payment_terms_days": 30,
            "opened_on": "2026-01-01",
        },
    )


async def activity(client: httpx.AsyncClient, account_id: str, n: int, start: int = 0) -> None:
    """``n`` rounds of an invoice of 100.00 and a payment of 40.00 on the account."""
    for i in range(start, start + n):
        await post(
            client,
            f"/v1/accounts/{account_id}/invoices",
            {
                "invoice_id": f"INV-{i}",
                "issue_date": "2026-01-05",
                "due_date": "2026-02-04",
                "lines": [{"description": "Premium", "amount": "100.00"}],
            },
        )
        await post(
            client,
            f"/v1/accounts/{account_id}/payments",
            {
                "payment_id": f"PAY-{i}",
                "amount": "40.00",
                "received_on": "2026-01-10",
                "method": "bank_transfer",
            },
        )


async def ledger_truth(
    client: httpx.AsyncClient, accounts: list[str]
) -> dict[str, tuple[int, int, str, str]]:
    """What the consumer must end with: per account (events, last version, invoiced, paid)."""
    out: dict[str, tuple[int, int, str, str]] = {}
    for account_id in accounts:
        r = await client.get(f"/v1/accounts/{account_id}/events", params={"limit": 1000})
        events = r.json()["events"]
        invoiced = sum(Decimal(e["data"]["total"]) for e in events if e["type"] == "InvoiceIssued")
        paid = sum(Decimal(e["data"]["amount"]) for e in events if e["type"] == "PaymentReceived")
        out[account_id] = (len(events), events[-1]["version"], str(invoiced), str(paid))
    return out

"""Invariants of the event store (DESIGN 1, 2, 3, 8) on a real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from devstack.testing import wait_for
from ledger.adapters.postgres import event_store
from ledger.adapters.postgres.engine import make_engine
from ledger.bootstrap import Ledger
from ledger.domain import events as ev
from ledger.domain.errors import ConcurrencyConflict
from ledger.settings import Settings

from .api_support import HELD_BACK_SECONDS, feed_end, read_feed
from .conftest import invoice, open_account, write_events

KEY = b"test-chain-key"


@pytest.fixture(scope="module")
async def superuser(ledger_settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The database owner, not the service's writer role."""
    engine = make_engine(ledger_settings.database_url, role="")
    yield engine
    await engine.dispose()


def _disputed(invoice_id: str) -> ev.InvoiceDisputed:
    return ev.InvoiceDisputed(invoice_id=invoice_id, reason="probe", disputed_on=date(2026, 1, 2))


def _opened(stream: str) -> ev.AccountOpened:
    return ev.AccountOpened(
        account_id=stream,
        name="n",
        currency="SGD",
        jurisdiction="SG",
        credit_limit=Decimal("0.00"),
        payment_terms_days=30,
        opened_on=date(2026, 1, 1),
    )


# -- 1. append-only ------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET actor = 'mallory' WHERE stream_id = :s",
        "DELETE FROM events WHERE stream_id = :s",
        "TRUNCATE events",
    ],
)
async def test_the_service_role_cannot_change_or_remove_events(
    ledger: Ledger, client: httpx.AsyncClient, account_id: str, statement: str
) -> None:
    await open_account(client, account_id)
    async with ledger.engine.connect() as conn:
        with pytest.raises(DBAPIError, match=r"permission denied|append-only"):
            await conn.execute(text(statement), {"s": account_id})
    r = await client.get(f"/v1/accounts/{account_id}/events")
    assert [e["actor"] for e in r.json()["events"]] == ["admin@test"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET actor = 'mallory' WHERE stream_id = :s",
        "DELETE FROM events WHERE stream_id = :s",
    ],
)
async def test_even_the_owner_is_stopped_by_the_trigger(
    superuser: AsyncEngine, client: httpx.AsyncClient, account_id: str, statement: str
) -> None:
    await open_account(client, account_id)
    async with superuser.connect() as conn:
        with pytest.raises(DBAPIError, match="append-only"):
            await conn.execute(text(statement), {"s": account_id})


# -- 2. optimistic concurrency --------------------------------------------------------


async def test_a_stale_head_is_a_conflict(
    ledger: Ledger, client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "10.00")
    async with ledger.uow() as uow:
        stale = (await uow.begin(account_id, "probe", "1")).head
    async with ledger.uow() as uow:
        await write_events(uow, ledger, account_id, [_disputed("INV-1")], head=stale)
    with pytest.raises(ConcurrencyConflict):
        async with ledger.uow() as uow:
            await write_events(uow, ledger, account_id, [_disputed("INV-1")], head=stale)
    history = (await client.get(f"/v1/accounts/{account_id}/events")).json()["events"]
    assert [e["type"] for e in history][-1] == "InvoiceDisputed"
    assert len(history) == 3


async def test_32_concurrent_writers_on_one_account_lose_nothing(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "10000.00")

    async def pay(n: int) -> httpx.Response:
        return await client.post(
            f"/v1/accounts/{account_id}/payments",
            json={
                "payment_id": f"P-{n}",
                "amount": "1.25",
                "received_on": "2026-01-05",
                "method": "card",
            },
        )

    responses = await asyncio.gather(*(pay(n) for n in range(32)))
    assert [r.status_code for r in responses] == [201] * 32, [
        r.text for r in responses if r.status_code != 201
    ]
    account = (await client.get(f"/v1/accounts/{account_id}")).json()
    assert account["summary"]["paid"] == "40.00"
    assert account["summary"]["open"] == "9960.00"
    history = (await client.get(f"/v1/accounts/{account_id}/events", params={"limit": 1000})).json()
    versions = [e["version"] for e in history["events"]]
    assert versions == list(range(1, 2 + 2 * 32 + 1))  # opened, invoice, 32 x (received, allocated)
    positions = [e["position"] for e in history["events"]]
    assert positions == sorted(positions)


# -- 3. gap-safe global order ---------------------------------------------------------


async def test_a_tailing_reader_never_skips_a_slow_commit(
    ledger: Ledger, client: httpx.AsyncClient, account_id: str
) -> None:
    slow_stream, fast_stream = f"{account_id}-slow", f"{account_id}-fast"
    async with ledger.engine.connect() as reader:
        checkpoint = await event_store.head_position(reader)
        await reader.rollback()

    slow = ledger.uow()
    slow_uow = await slow.__aenter__()
    try:
        # the slow writer takes the lower position and does not commit yet
        await write_events(slow_uow, ledger, slow_stream, [_opened(slow_stream)])
        async with ledger.uow() as fast:  # a higher position, committed first
            await write_events(fast, ledger, fast_stream, [_opened(fast_stream)])

        async with ledger.engine.connect() as reader:
            seen = await event_store.read_all(reader, after=checkpoint, limit=10_000)
        assert fast_stream not in [e.stream_id for e in seen], "read past a running writer"
        if seen:
            checkpoint = seen[-1].position
    finally:
        await slow.__aexit__(None, None, None)  # commits
    ours: list[str] = []

    async def both_readable() -> bool:  # another database's transaction may hold them back
        nonlocal ours
        async with ledger.engine.connect() as reader:
            later = await event_store.read_all(reader, after=checkpoint, limit=10_000)
        ours = [e.stream_id for e in later if e.stream_id in (slow_stream, fast_stream)]
        return len(ours) >= 2

    await wait_for(both_readable, HELD_BACK_SECONDS, "the two commits to be readable")
    assert ours == [slow_stream, fast_stream]


async def test_the_http_feed_pages_in_position_order(
    client: httpx.AsyncClient, account_id: str
) -> None:
    after, _ = await feed_end(client)
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "10.00")
    pages = await read_feed(client, after, limit=1)  # one event a page
    got = [(e["account_id"], e["type"]) for e in pages]
    assert (account_id, "AccountOpened") in got
    assert got.index((account_id, "AccountOpened")) < got.index((account_id, "InvoiceIssued"))
    positions = [e["position"] for e in pages]
    assert positions == sorted(set(positions))
    assert all(p > after for p in positions)


async def test_concurrent_retries_of_one_command_write_it_once(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-0", "5.00")
    body = {
        "invoice_id": "INV-1",
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "lines": [{"description": "Premium", "amount": "10.00"}],
    }
    responses = await asyncio.gather(
        *(client.post(f"/v1/accounts/{account_id}/invoices", json=body) for _ in range(8))
    )
    assert [r.status_code for r in responses] == [201] * 8, [r.text for r in responses]
    assert len({r.content for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 7
    history = (await client.get(f"/v1/accounts/{account_id}/events")).json()["events"]
    assert [e["type"] for e in history].count("InvoiceIssued") == 2


async def test_the_feed_counts_events_held_back_by_a_running_transaction(
    ledger: Ledger, client: httpx.AsyncClient, account_id: str
) -> None:
    after, _ = await feed_end(client)
    async with ledger.engine.connect() as older:
        await older.execute(text("SELECT pg_current_xact_id()"))  # an xid, left running
        await open_account(client, account_id)
        await invoice(client, account_id, "INV-1", "10.00")  # acknowledged: committed
        page = (await client.get("/v1/events", params={"after": after})).json()
        ours = [e for e in page["events"] if e["account_id"] == account_id]
        assert ours == []  # listing them now could skip the older transaction's events
        assert page["behind"] >= 2  # but they are counted: the reader is not caught up
        metrics = (await client.get("/metrics")).text
        held = next(
            line for line in metrics.splitlines() if line.startswith("ledger_feed_held_events ")
        )
        assert float(held.split()[1]) >= 2
        await older.rollback()
    released = await read_feed(client, after)  # once no transaction holds them back
    assert [e["type"] for e in released if e["account_id"] == account_id] == [
        "AccountOpened",
        "InvoiceIssued",
    ]

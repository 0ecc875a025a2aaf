"""Invariants of the event store (DESIGN 1, 2, 3, 8) on a real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from ledger.adapters.postgres import event_store
from ledger.adapters.postgres.engine import make_engine
from ledger.application.records import Metadata, NewEvent
from ledger.bootstrap import Ledger
from ledger.domain import events as ev
from ledger.domain.errors import ConcurrencyConflict
from ledger.settings import Settings

from .conftest import invoice, open_account

KEY = b"test-chain-key"


@pytest.fixture(scope="module")
async def superuser(ledger_settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The database owner, not the service's writer role."""
    engine = make_engine(ledger_settings.database_url, role="")
    yield engine
    await engine.dispose()


def _disputed(invoice_id: str) -> ev.InvoiceDisputed:
    return ev.InvoiceDisputed(invoice_id=invoice_id, reason="probe", disputed_on=date(2026, 1, 2))


async def _append_opened(conn: object, stream: str) -> None:
    opened = ev.AccountOpened(
        account_id=stream, name="n", currency="SGD", jurisdiction="SG",
        credit_limit=Decimal("0.00"), payment_terms_days=30,
        opened_on=date(2026, 1, 1),
    )
    await event_store.append(
        conn,  # type: ignore[arg-type]
        stream_id=stream, head=None, new=[NewEvent(opened, uuid4())],
        meta=Metadata(actor="test"), recorded_at=datetime.now(UTC), key=KEY,
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
        with pytest.raises(DBAPIError, match="permission denied|append-only"):
            await conn.execute(text(statement), {"s": account_id})
    r = await client.get(f"/v1/accounts/{account_id}/events")
    assert [e["actor"] for e in r.json()["events"]] == ["api"]


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


async def test_a_stale_head_is_a_conflict(ledger: Ledger, client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "10.00")
    async with ledger.engine.connect() as conn:
        head = await event_store.lock_stream(conn, account_id)
        await conn.rollback()
    assert head is not None
    meta = Metadata(actor="test")
    async with ledger.engine.begin() as conn:
        await event_store.append(conn, stream_id=account_id, head=head,
                                 new=[NewEvent(_disputed("INV-1"), uuid4())], meta=meta,
                                 recorded_at=datetime.now(UTC), key=KEY)
    async with ledger.engine.begin() as conn:
        with pytest.raises(ConcurrencyConflict):
            await event_store.append(conn, stream_id=account_id, head=head,
                                     new=[NewEvent(_disputed("INV-1"), uuid4())], meta=meta,
                                     recorded_at=datetime.now(UTC), key=KEY)


async def test_32_concurrent_writers_on_one_account_lose_nothing(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "10000.00")

    async def pay(n: int) -> httpx.Response:
        return await client.post(
            f"/v1/accounts/{account_id}/payments",
            json={"payment_id": f"P-{n}", "amount": "1.25", "received_on": "2026-01-05",
                  "method": "card"},
        )

    responses = await asyncio.gather(*(pay(n) for n in range(32)))
    assert [r.status_code for r in responses] == [201] * 32, [r.text for r in responses if r.status_code != 201]
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

    slow = await ledger.engine.connect()
    try:
        slow_tx = await slow.begin()
        await _append_opened(slow, slow_stream)  # takes the lower position, not committed yet
        async with ledger.engine.begin() as fast:
            await _append_opened(fast, fast_stream)  # higher position, commits first

        async with ledger.engine.connect() as reader:
            seen = await event_store.read_all(reader, after=checkpoint, limit=10_000)
        assert fast_stream not in [e.stream_id for e in seen], "read past a running writer"
        if seen:
            checkpoint = seen[-1].position
        await slow_tx.commit()
    finally:
        await slow.close()
    async with ledger.engine.connect() as reader:
        later = await event_store.read_all(reader, after=checkpoint, limit=10_000)
    ours = [e.stream_id for e in later if e.stream_id in (slow_stream, fast_stream)]
    assert ours == [slow_stream, fast_stream]


async def test_the_http_feed_pages_in_position_order(
    client: httpx.AsyncClient, account_id: str
) -> None:
    start = (await client.get("/v1/events", params={"after": 0, "limit": 5000})).json()
    after = start["next_after"]
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "10.00")
    page1 = (await client.get("/v1/events", params={"after": after, "limit": 1})).json()
    page2 = (await client.get("/v1/events", params={"after": page1["next_after"], "limit": 10})).json()
    got = [(e["account_id"], e["type"]) for e in page1["events"] + page2["events"]]
    assert (account_id, "AccountOpened") in got
    assert got.index((account_id, "AccountOpened")) < got.index((account_id, "InvoiceIssued"))
    assert page1["next_after"] < page2["events"][0]["position"]

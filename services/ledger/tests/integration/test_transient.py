"""Transient database failures: a command whose connections were terminated under it is
run again and succeeds; a database that does not answer is 503 with Retry-After, for
commands, batches and reads alike, and never a 500."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from ledger.settings import Settings
from ledger.testing import running
from servicekit.auth.testing import TestIdentity

from .api_support import assert_problem
from .conftest import open_account

INVOICE = {
    "invoice_id": "INV-1",
    "issue_date": "2026-01-01",
    "due_date": "2026-01-31",
    "lines": [{"description": "Premium", "amount": "100.00"}],
}


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
async def own(
    ledger_settings: Settings, identity: TestIdentity
) -> AsyncIterator[tuple[httpx.AsyncClient, set[int]]]:
    """A ledger of its own on the test database, and the backends it opened (the test
    session's ledger is idle meanwhile)."""
    admin = await asyncpg.connect(_plain(ledger_settings.database_url))
    pids = "SELECT array_agg(pid) FROM pg_stat_activity WHERE datname = current_database()"
    before = set(await admin.fetchval(pids))
    await admin.close()
    async with running(ledger_settings, identity) as own_ledger:
        yield own_ledger.client, before


@pytest.mark.parametrize("route", ["single", "batch"])
async def test_a_command_whose_connection_is_terminated_mid_transaction_is_retried(
    own: tuple[httpx.AsyncClient, set[int]], ledger_settings: Settings, account_id: str, route: str
) -> None:
    """The test holds the account's stream; the command (alone or in a batch) waits for it
    inside its transaction; its backend is terminated there; the transaction runs again
    and succeeds."""
    client, before = own
    single = (f"/v1/accounts/{account_id}/invoices", INVOICE)
    batch = ("/v1/batches", [{"op": "issue_invoice", "account_id": account_id, "body": INVOICE}])
    path, body = single if route == "single" else batch
    await open_account(client, account_id)
    admin = await asyncpg.connect(_plain(ledger_settings.database_url))
    try:
        held = admin.transaction()
        await held.start()
        await admin.execute("SELECT 1 FROM streams WHERE stream_id = $1 FOR UPDATE", account_id)
        posting = asyncio.create_task(client.post(path, json=body))
        waiting = None
        while waiting is None:
            assert not posting.done(), posting.result().text
            waiting = await admin.fetchval(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> ALL($1::int[])",
                list(before),
            )
            await asyncio.sleep(0.01)
        assert await admin.fetchval("SELECT pg_terminate_backend($1, 5000)", waiting)
        await held.rollback()
        r = await posting
    finally:
        await admin.close()
    assert r.status_code == (201 if route == "single" else 200), r.text
    if route == "batch":
        assert r.json()["written"] == 1, r.text
    metrics = (await client.get("/metrics")).text
    assert 'ledger_db_retries_total{reason="unavailable"} 1.0' in metrics
    # written once: the balance is the invoice's
    account = await client.get(f"/v1/accounts/{account_id}")
    assert account.status_code == 200, account.text
    assert account.json()["summary"]["invoiced"] == "100.00"


async def test_an_unreachable_database_is_503_with_retry_after(
    unreachable: httpx.AsyncClient,
) -> None:
    invoice = INVOICE
    answers = [
        await unreachable.post("/v1/accounts/ACC-DOWN/invoices", json=invoice),
        await unreachable.post(
            "/v1/batches",
            json=[{"op": "issue_invoice", "account_id": "ACC-DOWN", "body": invoice}],
        ),
        await unreachable.get("/v1/accounts/ACC-DOWN"),
    ]
    for r in answers:
        body = assert_problem(r, 503, rule="database-unavailable")
        assert r.headers["Retry-After"].isdigit(), r.headers
        assert body["title"] == "Database unavailable"
    metrics = (await unreachable.get("/metrics")).text
    assert 'ledger_db_unavailable_total{reason="unavailable"} 3.0' in metrics
    assert (await unreachable.get("/readyz")).status_code == 503

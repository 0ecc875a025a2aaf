"""Tamper evidence (DESIGN 8), upcasting on read, event metadata, projection rebuilds (7).

Tampering needs a database of its own: the module migrates a fresh one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from devstack.pytest_plugin import DatabaseFactory
from ledger import cli
from ledger.adapters.postgres import event_store, maintenance
from ledger.adapters.postgres.engine import make_engine
from ledger.domain import events as ev
from ledger.settings import Settings
from ledger.testing import InProcessLedger, in_process

from .api_support import read_feed
from .conftest import IDENTITY, invoice, open_account, write_events


@pytest.fixture(scope="module")
async def own(make_database: DatabaseFactory) -> AsyncIterator[InProcessLedger]:
    async with in_process(make_database("audit"), IDENTITY, chain_key="audit-key") as running:
        yield running


@pytest.fixture(scope="module")
def api(own: InProcessLedger) -> httpx.AsyncClient:
    return own.client


@pytest.fixture(scope="module")
async def owner(own: InProcessLedger) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(own.settings.database_url, role="")
    yield engine
    await engine.dispose()


async def _tamper(owner: AsyncEngine, sql: str, **params: object) -> None:
    """What a superuser could do behind the service's back: triggers off, then SQL."""
    async with owner.begin() as conn:
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        await conn.execute(text(sql), params)


async def _busy_account(api: httpx.AsyncClient, account_id: str) -> None:
    await open_account(api, account_id)
    await invoice(api, account_id, "INV-1", "300.00")
    await invoice(api, account_id, "INV-2", "200.00", due="2026-02-28")
    r = await api.post(
        f"/v1/accounts/{account_id}/payments",
        json={
            "payment_id": "P-1",
            "amount": "350.00",
            "received_on": "2026-01-20",
            "method": "bank",
        },
    )
    assert r.status_code == 201


async def _verify(api: httpx.AsyncClient) -> dict[str, object]:
    r = await api.get("/v1/audit/verify")
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


async def test_an_untouched_ledger_verifies(api: httpx.AsyncClient) -> None:
    await _busy_account(api, "CLEAN")
    report = await _verify(api)
    assert report["ok"] is True, report
    assert report["events"] >= 6


@pytest.mark.parametrize(
    ("label", "sql"),
    [
        (
            "changed",
            "UPDATE events SET data = jsonb_set(data, '{amount}', '\"1.00\"') "
            "WHERE stream_id = :s AND version = 4",
        ),
        ("deleted-middle", "DELETE FROM events WHERE stream_id = :s AND version = 3"),
        (
            "deleted-tail",
            "DELETE FROM events WHERE stream_id = :s AND version = "
            "(SELECT max(version) FROM events WHERE stream_id = :s)",
        ),
        (
            "inserted",
            "INSERT INTO events SELECT position + 1, stream_id, version + 1, "
            "gen_random_uuid(), event_type, schema_version, data, effective_date, "
            "recorded_at, actor, correlation_id, causation_id, idempotency_key, hash, "
            "hash FROM events WHERE stream_id = :s ORDER BY version DESC LIMIT 1",
        ),
        (
            "inserted-with-head",
            "WITH e AS (INSERT INTO events SELECT position + 1, stream_id, "
            "version + 1, gen_random_uuid(), event_type, schema_version, data, effective_date, "
            "recorded_at, actor, correlation_id, causation_id, idempotency_key, hash, "
            "sha256(hash) FROM events WHERE stream_id = :s ORDER BY version DESC LIMIT 1 "
            "RETURNING stream_id, version, position, hash) UPDATE streams SET version = e.version, "
            "head_position = e.position, head_hash = e.hash FROM e WHERE streams.stream_id = "
            "e.stream_id",
        ),
    ],
)
async def test_verify_finds_rows_changed_removed_or_inserted_in_sql(
    api: httpx.AsyncClient,
    owner: AsyncEngine,
    own: InProcessLedger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    label: str,
    sql: str,
) -> None:
    victim = f"VICTIM-{label}"
    await _busy_account(api, victim)
    await _tamper(owner, sql, s=victim)
    report = await _verify(api)
    assert report["ok"] is False
    assert {f["stream_id"] for f in report["findings"]} == {victim}  # type: ignore[union-attr]

    monkeypatch.setenv("LEDGER_DATABASE_URL", own.settings.database_url)
    monkeypatch.setenv("LEDGER_CHAIN_KEY", "audit-key")
    assert await cli._verify(Settings()) == 1
    assert f"TAMPERED {victim}" in capsys.readouterr().out
    # leave the database verifiable for the next case: drop the victim entirely
    await _tamper(owner, "DELETE FROM events WHERE stream_id = :s", s=victim)
    await _tamper(owner, "DELETE FROM streams WHERE stream_id = :s", s=victim)


class InvoiceIssuedV1(ev.Event):
    """How InvoiceIssued was stored in schema version 1: no total, unnumbered lines."""

    schema_version: ClassVar[int] = 1
    effective_field: ClassVar[str] = "issue_date"

    invoice_id: str
    currency: str
    issue_date: date
    due_date: date
    lines: tuple[dict[str, object], ...]

    @classmethod
    def event_type(cls) -> str:
        return "InvoiceIssued"


async def test_version_1_invoices_are_upcast_on_read_and_still_verify(
    own: InProcessLedger, api: httpx.AsyncClient
) -> None:
    await open_account(api, "LEGACY")
    old = InvoiceIssuedV1(
        invoice_id="OLD-1",
        currency="SGD",
        issue_date=date(2025, 1, 1),
        due_date=date(2025, 1, 31),
        lines=(
            {"description": "Premium", "amount": "70.00"},
            {"description": "Levy", "amount": "5.50"},
        ),
    )
    async with own.service.uow() as uow:
        await write_events(uow, own.service, "LEGACY", [old], actor="migration")
    history = (await api.get("/v1/accounts/LEGACY/events")).json()["events"]
    upcast = history[-1]
    assert upcast["type"] == "InvoiceIssued"
    assert upcast["schema_version"] == 2
    assert upcast["data"]["total"] == "75.50"
    assert [line["line_no"] for line in upcast["data"]["lines"]] == [1, 2]
    assert (await _verify(api))["ok"] is True
    # the projections built from the upcast event know the invoice
    async with own.service.engine.begin() as conn:
        await maintenance.rebuild(conn, own.service.chain_key, apply=True)
    invoices = (await api.get("/v1/accounts/LEGACY/invoices")).json()["invoices"]
    assert [(i["invoice_id"], i["open_amount"]) for i in invoices] == [("OLD-1", "75.50")]


async def test_every_event_carries_its_metadata(api: httpx.AsyncClient) -> None:
    correlation, causation = uuid4(), uuid4()
    await open_account(api, "META")
    r = await api.post(
        "/v1/accounts/META/invoices",
        json={
            "invoice_id": "I-1",
            "issue_date": "2026-03-01",
            "due_date": "2026-03-31",
            "lines": [{"description": "Premium", "amount": "10.00"}],
        },
        headers={
            "X-Correlation-Id": str(correlation),
            "X-Causation-Id": str(causation),
            "Idempotency-Key": "batch-7",
        },
    )
    assert r.status_code == 201
    event = (await api.get("/v1/accounts/META/events")).json()["events"][-1]
    assert event["actor"] == "admin@test"  # the authenticated subject
    assert event["correlation_id"] == str(correlation)
    assert event["causation_id"] == str(causation)
    assert event["effective_date"] == "2026-03-01"
    assert datetime.fromisoformat(event["recorded_at"]).tzinfo is not None
    assert len(event["event_id"]) == 36
    # the feed lists it once no transaction anywhere on the server holds it back
    feed = await read_feed(api, event["position"] - 1)
    assert feed[0]["event_id"] == event["event_id"]


async def test_rebuilt_projections_equal_the_live_ones(
    own: InProcessLedger, api: httpx.AsyncClient
) -> None:
    account = "REBUILD"
    await _busy_account(api, account)
    for path, body in [
        (
            "credit-notes",
            {
                "credit_note_id": "CN-1",
                "invoice_id": "INV-1",
                "amount": "50.00",
                "reason": "cover reduced",
            },
        ),
        ("adjustments", {"adjustment_id": "ADJ-1", "amount": "15.00", "reason": "late fee"}),
        (
            "write-offs",
            {
                "write_off_id": "WO-1",
                "invoice_id": "INV-2",
                "amount": "20.00",
                "reason": "small balance",
            },
        ),
        ("payments/P-1/reversal", {"reason": "bounced"}),
    ]:
        r = await api.post(f"/v1/accounts/{account}/{path}", json=body)
        assert r.status_code == 201, r.text
    async with own.service.engine.begin() as conn:
        assert await maintenance.rebuild(conn, own.service.chain_key, apply=False) == (
            {"accounts": 0, "open_items": 0, "payments": 0, "journal": 0},
            [],
        )
    async with own.service.engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE open_items SET paid = paid + 1 WHERE account_id = :a AND item_id = 'INV-1'"
            ),
            {"a": account},
        )
    async with own.service.engine.begin() as conn:
        assert (await maintenance.rebuild(conn, own.service.chain_key, apply=True))[0][
            "open_items"
        ] == 1
    async with own.service.engine.begin() as conn:
        assert set(
            (await maintenance.rebuild(conn, own.service.chain_key, apply=False))[0].values()
        ) == {0}


async def test_the_trial_balance_is_zero_and_the_journal_balances(api: httpx.AsyncClient) -> None:
    await _busy_account(api, "JOURNAL")
    r = await api.post(
        "/v1/accounts/JOURNAL/payments",
        json={
            "payment_id": "P-2",
            "amount": "10.00",
            "received_on": "2026-01-21",
            "method": "bank",
            "allocations": [],
        },
    )
    assert r.json()["unapplied"] == "10.00"
    r = await api.post(
        "/v1/accounts/JOURNAL/refunds",
        json={"refund_id": "R-1", "amount": "10.00", "reason": "overpaid"},
    )
    assert r.status_code == 201, r.text
    tb = (await api.get("/v1/reports/trial-balance")).json()
    assert tb["currencies"], tb
    assert all(c["total"] == "0.00" for c in tb["currencies"])
    lines = (await api.get("/v1/accounts/JOURNAL/journal")).json()["lines"]
    debits = sum(Decimal(x["debit"]) for x in lines if x["debit"])
    credits = sum(Decimal(x["credit"]) for x in lines if x["credit"])
    # invoices 500; payments 350 + 10 received, 350 allocated; 10 refunded
    assert debits == credits == Decimal("1220.00")


@pytest.mark.parametrize("page", [1, 2, 3, 7])
async def test_scans_in_small_pages_give_every_stream_whole_once(
    own: InProcessLedger, api: httpx.AsyncClient, page: int
) -> None:
    for account in (f"PAGED-{page}-A", f"PAGED-{page}-B"):
        await _busy_account(api, account)  # more events each than some pages hold
    async with own.service.engine.connect() as conn:
        seen = [s async for scanned in event_store.scan_pages(conn, page) for s in scanned]
    ids = [stream_id for _, _, stream_id in seen]
    assert len(ids) == len(set(ids))
    for head, stored, stream_id in seen:
        assert [s.version for s in stored] == list(range(1, len(stored) + 1)), stream_id
        assert head is not None
        assert head.version == len(stored)
    async with own.service.engine.begin() as conn:
        removed = await conn.execute(
            text("DELETE FROM journal WHERE account_id = :a AND line_no = 1"),
            {"a": f"PAGED-{page}-A"},
        )
    assert removed.rowcount >= 3
    async with own.service.engine.begin() as conn:
        differences, damaged = await maintenance.rebuild(
            conn, own.service.chain_key, apply=True, page=page
        )
    assert (differences["journal"], damaged) == (removed.rowcount, [])
    async with own.service.engine.begin() as conn:
        differences, _ = await maintenance.rebuild(
            conn, own.service.chain_key, apply=False, page=page
        )
    assert set(differences.values()) == {0}

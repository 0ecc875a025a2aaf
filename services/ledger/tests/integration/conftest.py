"""Fixtures of the ledger's integration tests: a migrated database and the HTTP app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from itertools import count
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI

from devstack.pytest_plugin import DatabaseFactory
from ledger.application.ports import UnitOfWork
from ledger.application.records import Metadata, NewEvent, StoredEvent, StreamHead
from ledger.application.sealing import seal
from ledger.bootstrap import Ledger
from ledger.domain import events as ev
from ledger.settings import Settings
from ledger.testing import InProcessLedger, in_process, running
from servicekit.auth.testing import TestIdentity

_ids = count(1)


IDENTITY = TestIdentity("ledger")
"""A throwaway issuer the test ledger trusts; mints tokens per role."""


@pytest.fixture(scope="session")
def identity() -> TestIdentity:
    return IDENTITY


@pytest.fixture(scope="session")
async def running_ledger(make_database: DatabaseFactory) -> AsyncIterator[InProcessLedger]:
    """The ledger the tests share: its settings, service, app and an admin's client."""
    async with in_process(make_database("ledger"), IDENTITY) as running:
        yield running


@pytest.fixture(scope="session")
def ledger_settings(running_ledger: InProcessLedger) -> Settings:
    return running_ledger.settings


@pytest.fixture(scope="session")
def ledger(running_ledger: InProcessLedger) -> Ledger:
    return running_ledger.service


@pytest.fixture(scope="session")
def app(running_ledger: InProcessLedger) -> FastAPI:
    return running_ledger.app


@pytest.fixture(scope="session")
async def anonymous(running_ledger: InProcessLedger) -> AsyncIterator[httpx.AsyncClient]:
    """A client sending no credential."""
    async with running_ledger.anonymous() as c:
        yield c


@pytest.fixture(scope="session")
def client(running_ledger: InProcessLedger) -> httpx.AsyncClient:
    """An admin's client (every scope, every jurisdiction)."""
    return running_ledger.client


ClientAs = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def client_as(running_ledger: InProcessLedger) -> AsyncIterator[ClientAs]:
    """``client_as(role, ..., jurisdictions=["SG"], subject="alice")``: a client of that
    caller (closed after the test)."""
    opened: list[httpx.AsyncClient] = []

    def make(
        *roles: str, jurisdictions: tuple[str, ...] | list[str] = ("*",), subject: str | None = None
    ) -> httpx.AsyncClient:
        c = running_ledger.client_as(*roles, jurisdictions=jurisdictions, subject=subject)
        opened.append(c)
        return c

    yield make
    for c in opened:
        await c.aclose()


def jurisdiction_code() -> str:
    """A jurisdiction of a test's own (2 to 8 capital letters, as the ledger takes), so a
    report filtered by it holds only that test's accounts."""
    return "T" + "".join(chr(ord("A") + int(c, 16)) for c in uuid4().hex[:7])


@pytest.fixture
async def unreachable(identity: TestIdentity) -> AsyncIterator[httpx.AsyncClient]:
    """An admin's client of the app over a database that does not answer (nothing listens
    on port 1)."""
    settings = Settings(
        database_url="postgresql+asyncpg://nobody@127.0.0.1:1/ledger",
        environment="development",
        **identity.settings(),
    )
    async with running(settings, identity) as ledger:
        yield ledger.client


@pytest.fixture
def account_id(request: pytest.FixtureRequest) -> str:
    """A fresh account id per test: tests share one database and never collide."""
    return f"ACC-{request.node.name[:30]}-{next(_ids)}".replace("[", "-").replace("]", "")


async def open_account(
    client: httpx.AsyncClient, account_id: str, currency: str = "SGD", **extra: object
) -> dict[str, object]:
    body = {
        "account_id": account_id,
        "name": f"Customer {account_id}",
        "currency": currency,
        "jurisdiction": "SG",
        "credit_limit": "10000.00" if currency != "JPY" else "1000000",
        "payment_terms_days": 30,
        "opened_on": "2026-01-01",
        **extra,
    }
    r = await client.post("/v1/accounts", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def invoice(
    client: httpx.AsyncClient,
    account_id: str,
    invoice_id: str,
    amount: str,
    *,
    issue: str = "2026-01-01",
    due: str = "2026-01-31",
    **extra: object,
) -> dict[str, object]:
    r = await client.post(
        f"/v1/accounts/{account_id}/invoices",
        json={
            "invoice_id": invoice_id,
            "issue_date": issue,
            "due_date": due,
            "lines": [{"description": "Premium", "amount": amount}],
            **extra,
        },
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def write_events(
    uow: UnitOfWork,
    ledger: Ledger,
    stream_id: str,
    events: list[ev.Event],
    *,
    head: StreamHead | bool | None = True,
    actor: str = "test",
) -> list[StoredEvent]:
    """Append events below the command handler (no projections): for store-level tests.

    ``head=True`` appends after the stream's current head; pass a head to force one.
    """
    started = await uow.begin(stream_id, "test", str(uuid4()))
    after = started.head if head is True else head
    assert after is not True
    stored = seal(
        stream_id=stream_id,
        head=after,
        tx_id=started.tx_id,
        new=[NewEvent(e, uuid4()) for e in events],
        meta=Metadata(actor=actor),
        recorded_at=datetime.now(UTC),
        key=ledger.chain_key,
    )
    await uow.write(
        head=after, stored=stored, account=None, items=[], pays=[], journal_lines=[], command=None
    )
    return stored

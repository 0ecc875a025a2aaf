"""Fixtures: the ledger app in-process, dunning on its own database, a real SMTP server.

Each test gets fresh copies of a migrated ledger database and a migrated dunning
database (``CREATE DATABASE … TEMPLATE``), the ledger's ASGI app behind an httpx client,
and dunning built on that client (fees posted and the event feed read over HTTP).
"""

from __future__ import annotations

import asyncio
import email
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from devstack.pytest_plugin import DatabaseFactory
from dunning.adapters.http.app import create_app as create_dunning_app
from dunning.adapters.postgres.consumer import Applier
from dunning.application.ports import FixedClock
from dunning.bootstrap import Dunning, build
from dunning.cli import migrate as migrate_dunning
from dunning.settings import Settings
from eventfeed import HttpFeedSource
from eventfeed.testing import follow
from ledger.bootstrap import Ledger
from ledger.testing import in_process, migrated
from servicekit.auth import ADMIN
from servicekit.auth.testing import TestIdentity

IDENTITY = TestIdentity(["ledger", "dunning"])
"""A throwaway issuer the test ledger and dunning trust."""


@pytest.fixture(scope="session")
def ledger_template(make_database: DatabaseFactory) -> str:
    url = make_database("dun_ledger_tpl")
    migrated(url)
    return url


@pytest.fixture(scope="session")
def dunning_template(make_database: DatabaseFactory) -> str:
    url = make_database("dunning_tpl")
    migrate_dunning(Settings(database_url=url))
    return url


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd probes the port it is given)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@dataclass
class Stack:
    ledger: httpx.AsyncClient
    api: httpx.AsyncClient
    dunning: Dunning
    outbox: Path
    ledger_service: Ledger  # what the ledger's API runs on (its engine, for a relay)
    clock: FixedClock  # dunning's clock: the scenario's "today"
    seen: dict[str, Any] = field(default_factory=dict)

    async def sync(self) -> int:
        """Let dunning consume every ledger event published so far."""
        source = HttpFeedSource("http://ledger", client=self.ledger)
        return await follow(self.dunning.consumer(source))

    async def run(self, as_of: date | str) -> dict[str, Any]:
        """The daily run on the morning of ``as_of``: the scenario's clock moves on to that
        day when it is later (a run for a day that has not come is refused)."""
        day = as_of if isinstance(as_of, date) else date.fromisoformat(as_of)
        self.clock.day = max(self.clock.day, day)
        await self.sync()
        r = await self.api.post("/v1/dunning-runs", json={"as_of": str(as_of)})
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def view(self, account_id: str) -> dict[str, Any]:
        await self.sync()
        r = await self.api.get(f"/v1/accounts/{account_id}/dunning")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def event_types(self, account_id: str) -> list[str]:
        return [h["type"] for h in (await self.view(account_id))["history"]]

    async def post(self, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        r = await self.ledger.post(path, json=body)
        assert r.status_code == status, r.text
        out: dict[str, Any] = r.json()
        return out


async def make_stack(
    make_database: DatabaseFactory,
    ledger_template: str,
    dunning_template: str,
    tmp_path: Path,
    applier: Applier | None = None,
    **settings: Any,
) -> AsyncIterator[Stack]:
    """``settings``: dunning settings; ``applier``: dunning's consumer handler."""
    ledger_database = make_database("dun_ledger", template=ledger_template)
    outbox = tmp_path / "outbox"
    clock = FixedClock(date(2026, 3, 1))
    async with in_process(ledger_database, IDENTITY, subject="dunning", migrate=False) as ledger:
        d = build(
            Settings(
                database_url=make_database("dunning", template=dunning_template),
                ledger_url="http://ledger",
                outbox_dir=outbox,
                **IDENTITY.settings(),
                **settings,
            ),
            clock=clock,
            ledger_http=ledger.client,
            applier=applier,
        )
        api = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_dunning_app(d, background=False)),
            base_url="http://dunning",
            headers=IDENTITY.headers(ADMIN, subject="collector@test"),
        )
        try:
            yield Stack(
                ledger=ledger.client,
                api=api,
                dunning=d,
                outbox=outbox,
                ledger_service=ledger.service,
                clock=clock,
            )
        finally:
            await api.aclose()
            await d.close()
    await asyncio.sleep(0)


@pytest.fixture
async def stack(
    make_database: DatabaseFactory,
    ledger_template: str,
    dunning_template: str,
    tmp_path: Path,
) -> AsyncIterator[Stack]:
    async for s in make_stack(make_database, ledger_template, dunning_template, tmp_path):
        yield s


@pytest.fixture
async def smtp_stack(
    make_database: DatabaseFactory,
    ledger_template: str,
    dunning_template: str,
    tmp_path: Path,
    smtp: tuple[Controller, Inbox],
) -> AsyncIterator[tuple[Stack, Inbox]]:
    controller, inbox = smtp
    async for s in make_stack(
        make_database,
        ledger_template,
        dunning_template,
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
    ):
        yield s, inbox


async def open_account(
    s: Stack,
    account_id: str,
    *,
    jurisdiction: str = "SG",
    currency: str = "SGD",
    credit_limit: str = "5000.00",
    email_to: str | None = "ap@customer.example",
    language: str | None = None,
) -> None:
    await s.post(
        "/v1/accounts",
        {
            "account_id": account_id,
            "name": f"Customer {account_id}",
            "currency": currency,
            "jurisdiction": jurisdiction,
            "credit_limit": credit_limit,
            "payment_terms_days": 30,
            "opened_on": "2026-01-01",
        },
    )
    r = await s.api.put(
        f"/v1/accounts/{account_id}/profile", json={"email": email_to, "language": language}
    )
    assert r.status_code == 200, r.text


async def invoice(
    s: Stack,
    account_id: str,
    invoice_id: str,
    amount: str,
    due: str,
    policy_id: str | None = None,
    issue: str = "2026-01-01",
) -> None:
    await s.post(
        f"/v1/accounts/{account_id}/invoices",
        {
            "invoice_id": invoice_id,
            "issue_date": issue,
            "due_date": due,
            "lines": [{"description": "Premium", "amount": amount, "policy_id": policy_id}],
        },
    )


async def pay(
    s: Stack, account_id: str, payment_id: str, amount: str, on: str, invoice_id: str | None = None
) -> None:
    body: dict[str, Any] = {
        "payment_id": payment_id,
        "amount": amount,
        "received_on": on,
        "method": "bank_transfer",
    }
    if invoice_id:
        body["allocations"] = [{"invoice_id": invoice_id, "amount": amount}]
    await s.post(f"/v1/accounts/{account_id}/payments", body)

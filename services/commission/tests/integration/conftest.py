"""Fixtures of the commission integration tests.

The ledger runs in-process (its app on an ASGI transport, its own database, shared by the
session); each test gets a fresh commission database (a copy of one migrated template) and
a commission service whose consumer reads the ledger's HTTP feed through that transport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import count
from typing import Any

import httpx
import pytest

from commission.adapters.http.app import create_app as create_commission_app
from commission.application.clock import FixedClock
from commission.bootstrap import Commission, build
from commission.cli import migrate as migrate_commission
from commission.domain.settlement import Period
from commission.settings import Settings
from devstack.pytest_plugin import DatabaseFactory
from eventfeed.testing import follow
from ledger.testing import InProcessLedger, in_process
from servicekit.auth import ADMIN, BROKER_MANAGER
from servicekit.auth.testing import TestIdentity

_ids = count(1)


class TickingClock(FixedClock):
    """A fixed clock that ticks a millisecond per reading (so that what is done one after
    the other is recorded in that order, as with a real clock)."""

    def now(self) -> datetime:
        self.at += timedelta(milliseconds=1)
        return self.at


START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
"""Where the commission service's clock starts in these tests: before the ledger records
anything (an agreement applies to what the ledger records after it); :meth:`World.settle`
moves it on past the period it settles, as a month's end comes before its settlement."""


IDENTITY = TestIdentity(["ledger", "commission"])
"""A throwaway issuer the test ledger and commission trust."""


def user(name: str) -> dict[str, str]:
    """Headers of a broker manager authenticated as ``name``."""
    return IDENTITY.headers(BROKER_MANAGER, subject=name)


@pytest.fixture(scope="session")
async def ledger(make_database: DatabaseFactory) -> AsyncIterator[InProcessLedger]:
    async with in_process(make_database("cledger"), IDENTITY, subject="commission") as running:
        yield running


@pytest.fixture(scope="session")
def commission_template(make_database: DatabaseFactory) -> str:
    url = make_database("commission_template")
    migrate_commission(Settings(database_url=url))
    return url


@dataclass
class World:
    """The ledger client, a commission service and its client, and an id prefix."""

    ledger: httpx.AsyncClient
    service: Commission
    api: httpx.AsyncClient
    tag: str

    async def sync(self) -> int:
        """Consume every ledger event published so far."""
        return await follow(self.service.consumer)

    def id(self, name: str) -> str:
        return f"{self.tag}-{name}"

    async def call(self, client: httpx.AsyncClient, path: str, body: Any, **kw: Any) -> Any:
        r = await client.post(path, json=body, **kw)
        assert r.status_code in (200, 201, 202), r.text
        return r.json()

    async def broker(
        self, name: str = "BRK", *, approve: bool = True, jurisdiction: str = "SG", **bank: str
    ) -> str:
        broker_id = self.id(name)
        body = {
            "broker_id": broker_id,
            "name": f"Broker {name}",
            "jurisdiction": jurisdiction,
            "bank": {
                "account_holder": f"Broker {name} Pte Ltd",
                "country": "SG",
                "currency": "SGD",
                "bank_code": "7171",
                "branch_code": "081",
                "account_number": "1234567890",
                **bank,
            },
        }
        await self.call(self.api, "/v1/brokers", body, headers=user("maker"))
        if approve:
            path = f"/v1/brokers/{broker_id}/bank-detail-changes/{broker_id}:initial/approve"
            await self.call(self.api, path, None, headers=user("checker"))
        return broker_id

    async def agreement(
        self,
        broker_id: str,
        name: str,
        effective_from: str,
        first: str,
        renewal: str,
        basis: str = "collection",
        product: str = "motor",
    ) -> None:
        body = {
            "agreement_id": self.id(name),
            "effective_from": effective_from,
            "basis": basis,
            "rates": [{"product": product, "first_year_rate": first, "renewal_rate": renewal}],
        }
        await self.call(self.api, f"/v1/brokers/{broker_id}/agreements", body)

    async def account(self, name: str = "ACC", broker_id: str | None = None) -> str:
        account_id = self.id(name)
        await self.call(
            self.ledger,
            "/v1/accounts",
            {
                "account_id": account_id,
                "name": f"Customer {name}",
                "currency": "SGD",
                "jurisdiction": "SG",
                "credit_limit": "100000.00",
                "payment_terms_days": 30,
                "opened_on": "2026-01-01",
                "broker_id": broker_id,
            },
        )
        return account_id

    async def invoice(
        self,
        account_id: str,
        name: str,
        lines: list[tuple[str, int]],
        issue: str,
        product: str = "motor",
    ) -> str:
        """``lines``: (amount, policy_year) pairs."""
        invoice_id = self.id(name)
        await self.call(
            self.ledger,
            f"/v1/accounts/{account_id}/invoices",
            {
                "invoice_id": invoice_id,
                "issue_date": issue,
                "due_date": issue,
                "policy_id": self.id("POL"),
                "lines": [
                    {
                        "description": "Premium",
                        "amount": amount,
                        "product": product,
                        "policy_year": year,
                    }
                    for amount, year in lines
                ],
            },
        )
        return invoice_id

    async def pay(
        self, account_id: str, name: str, amount: str, on: str, invoice_id: str | None = None
    ) -> str:
        payment_id = self.id(name)
        body: dict[str, Any] = {
            "payment_id": payment_id,
            "amount": amount,
            "received_on": on,
            "method": "bank",
        }
        if invoice_id:
            body["allocations"] = [{"invoice_id": invoice_id, "amount": amount}]
        await self.call(self.ledger, f"/v1/accounts/{account_id}/payments", body)
        return payment_id

    async def paid_broker(self, rate: str, invoiced_on: str, paid_on: str) -> str:
        """A broker with one agreement at ``rate`` and an account whose 1000.00 invoice is
        paid in full on ``paid_on``: the broker's id."""
        broker = await self.broker()
        await self.agreement(broker, "AG", "2026-01-01", rate, rate)
        acc = await self.account(broker_id=broker)
        inv = await self.invoice(acc, "I1", [("1000.00", 1)], invoiced_on)
        await self.pay(acc, "P1", "1000.00", paid_on, inv)
        return broker

    async def accruals(self, broker_id: str, period: str | None = None) -> dict[str, Any]:
        r = await self.api.get(
            f"/v1/brokers/{broker_id}/accruals", params={"period": period} if period else {}
        )
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def net(self, broker_id: str, period: str | None = None) -> str:
        totals = (await self.accruals(broker_id, period))["totals"]
        return totals[0]["net"] if totals else "0"

    def pass_month_end(self, period: str) -> None:
        """Move the service's (fixed) clock on to the morning after ``period`` ends."""
        clock = self.service.clock
        assert isinstance(clock, FixedClock)
        after = Period.parse(period).last_day + timedelta(days=1)
        clock.at = max(clock.at, datetime.combine(after, time(9), tzinfo=UTC))

    async def settle(self, period: str) -> dict[str, Any]:
        self.pass_month_end(period)
        return await self.call(self.api, "/v1/settlements", {"period": period})  # type: ignore[no-any-return]

    async def statement(self, broker_id: str, period: str) -> dict[str, Any]:
        r = await self.api.get(f"/v1/brokers/{broker_id}/statements/{period}")
        assert r.status_code == 200, r.text
        return r.json()["statements"][0]  # type: ignore[no-any-return]


async def make_world(
    make_database: DatabaseFactory,
    commission_template: str,
    ledger_client: httpx.AsyncClient,
    settings: dict[str, Any] | None = None,
    **build_options: Any,
) -> AsyncIterator[World]:
    """``settings``: commission settings to change; ``build_options``: more arguments of
    ``commission.bootstrap.build`` (a handler, a source, a clock ...)."""
    url = make_database("commission", template=commission_template)
    build_options.setdefault("clock", TickingClock(START))
    # a settlement's own bounded wait for the consumer (a service setting, so a flat time):
    # generous, as a healthy consumer on a loaded machine may need more than 20 s; the
    # refusal when it runs out is tested with a short one (test_guards)
    chosen = {"consume": False, "settle_catch_up_seconds": 120, **(settings or {})}
    service_settings = Settings(database_url=url, **IDENTITY.settings(), **chosen)
    service = build(service_settings, feed_client=ledger_client, **build_options)
    transport = httpx.ASGITransport(app=create_commission_app(service))
    headers = IDENTITY.headers(ADMIN, subject="admin@test")
    async with httpx.AsyncClient(
        transport=transport, base_url="http://commission", headers=headers
    ) as api:
        yield World(ledger_client, service, api, f"T{next(_ids)}")
    await service.close()


@pytest.fixture
async def world(
    make_database: DatabaseFactory, commission_template: str, ledger: InProcessLedger
) -> AsyncIterator[World]:
    async for w in make_world(make_database, commission_template, ledger.client):
        yield w

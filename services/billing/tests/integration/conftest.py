"""Fixtures of the billing integration tests.

The ledger runs in-process (its app on an ASGI transport, its own database, shared by the
session); each test gets a fresh billing database (a copy of one migrated template) and a
billing service posting to that ledger, with a clock the test sets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import count
from typing import Any

import httpx
import pytest

from billing.adapters.http.app import create_app as create_billing_app
from billing.application.ports import FixedClock, Ledger
from billing.bootstrap import Billing, build
from billing.cli import migrate as migrate_billing
from billing.settings import Settings
from devstack.pytest_plugin import DatabaseFactory
from ledger.testing import InProcessLedger, in_process
from servicekit.auth import ADMIN
from servicekit.auth.testing import TestIdentity

_ids = count(1)


IDENTITY = TestIdentity(["ledger", "billing"])
"""A throwaway issuer the test ledger and billing trust."""


@pytest.fixture(scope="session")
async def ledger(make_database: DatabaseFactory) -> AsyncIterator[InProcessLedger]:
    async with in_process(make_database("bledger"), IDENTITY, subject="billing") as running:
        yield running


@pytest.fixture(scope="session")
def billing_template(make_database: DatabaseFactory) -> str:
    url = make_database("billing_template")
    migrate_billing(Settings(database_url=url))
    return url


@dataclass
class World:
    """The ledger's client, a billing service and its client, its clock, an id prefix."""

    ledger: httpx.AsyncClient
    service: Billing
    api: httpx.AsyncClient
    clock: FixedClock
    tag: str

    def id(self, name: str) -> str:
        return f"{self.tag}-{name}"

    def today(self, day: str) -> None:
        self.clock.at = datetime.combine(date.fromisoformat(day), time(9), tzinfo=UTC)

    async def post(self, path: str, body: Any, status: int = 201, **kw: Any) -> Any:
        r = await self.api.post(path, json=body, **kw)
        assert r.status_code == status, r.text
        return r.json()

    async def account(self, name: str = "ACC", currency: str = "SGD", terms: int = 30) -> str:
        account_id = self.id(name)
        r = await self.ledger.post(
            "/v1/accounts",
            json={
                "account_id": account_id,
                "name": f"Customer {name}",
                "currency": currency,
                "jurisdiction": "SG",
                "credit_limit": "1000000.00",
                "payment_terms_days": terms,
                "opened_on": "2020-01-01",
            },
        )
        assert r.status_code == 201, r.text
        return account_id

    async def policy(self, name: str = "POL", *, account: str | None = None, **fields: Any) -> str:
        policy_id = self.id(name)
        body = {
            "policy_id": policy_id,
            "account_id": account or await self.account(f"{name}-ACC"),
            "frequency": "monthly",
            "term_start": "2026-01-01",
            "products": [
                {
                    "product": "group_medical",
                    "description": "Group medical",
                    "rates": [
                        {"tier": "A", "annual_premium": "3650.00"},
                        {"tier": "B", "annual_premium": "1825.00"},
                    ],
                    "tax_rate": "0",
                }
            ],
            **fields,
        }
        await self.post("/v1/policies", body)
        return policy_id

    async def run(self, as_of: str) -> dict[str, Any]:
        self.today(max(as_of, self.clock.at.date().isoformat()))
        return await self.post("/v1/billing-runs", {"as_of": as_of})  # type: ignore[no-any-return]

    async def documents(self, policy_id: str) -> list[dict[str, Any]]:
        r = await self.api.get(f"/v1/policies/{policy_id}/documents")
        assert r.status_code == 200, r.text
        return r.json()["documents"]  # type: ignore[no-any-return]

    async def ledger_account(self, account_id: str) -> dict[str, Any]:
        r = await self.ledger.get(f"/v1/accounts/{account_id}")
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]


async def make_world(
    make_database: DatabaseFactory,
    billing_template: str,
    ledger_client: httpx.AsyncClient,
    ledger: Ledger | None = None,
    **settings: Any,
) -> AsyncIterator[World]:
    """``ledger``: another ledger port; ``settings``: billing settings to change."""
    url = make_database("billing", template=billing_template)
    clock = FixedClock(datetime(2026, 1, 1, 9, tzinfo=UTC))
    service = build(
        Settings(database_url=url, **IDENTITY.settings(), **settings),
        clock=clock,
        ledger_http=ledger_client,
        ledger=ledger,
    )
    transport = httpx.ASGITransport(app=create_billing_app(service))
    headers = IDENTITY.headers(ADMIN, subject="clerk@test")
    async with httpx.AsyncClient(
        transport=transport, base_url="http://billing", headers=headers
    ) as api:
        yield World(ledger_client, service, api, clock, f"B{next(_ids)}")
    await service.close()


@pytest.fixture
async def world(
    make_database: DatabaseFactory, billing_template: str, ledger: InProcessLedger
) -> AsyncIterator[World]:
    async for w in make_world(make_database, billing_template, ledger.client):
        yield w

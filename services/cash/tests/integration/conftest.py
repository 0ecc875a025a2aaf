"""Fixtures of the cash integration tests.

The ledger runs in-process (its app on an ASGI transport, its own database, shared by the
session); each test gets a fresh cash database (a copy of one migrated template) and a
cash service posting to that ledger and reading its event feed through the transport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from itertools import count
from typing import Any

import httpx
import pytest

from cash.adapters.http.app import create_app as create_cash_app
from cash.bootstrap import Cash, build
from cash.cli import migrate as migrate_cash
from cash.settings import Settings
from devstack.pytest_plugin import DatabaseFactory
from eventfeed.testing import follow
from ledger.testing import InProcessLedger, in_process
from servicekit.auth import ADMIN, CASH_CLERK
from servicekit.auth.testing import TestIdentity

from .samples import HK_IBAN, IBAN

_ids = count(1)

IDENTITY = TestIdentity(["ledger", "cash"])
"""A throwaway issuer the test ledger and cash trust."""

BANK_ACCOUNTS = {
    IBAN: "SG",
    HK_IBAN: "HK",
    "DBSSSGSGXXX/0721234567": "SG",  # the MT940 samples'
    "STRIPE-SG": "SG",
    "STRIPE-HK": "HK",
    "GRABPAY-SG": "SG",
    "X": "SG",
}
"""The tests' bank and partner accounts and their jurisdictions (CASH_BANK_ACCOUNTS)."""


def user(name: str, *roles: str) -> dict[str, str]:
    """Headers of ``name`` authenticated with ``roles`` (default: a cash clerk)."""
    return IDENTITY.headers(*(roles or (CASH_CLERK,)), subject=name)


@pytest.fixture(scope="session")
async def ledger(make_database: DatabaseFactory) -> AsyncIterator[InProcessLedger]:
    async with in_process(make_database("cashledger"), IDENTITY, subject="cash") as running:
        yield running


@pytest.fixture(scope="session")
def cash_template(make_database: DatabaseFactory) -> str:
    url = make_database("cash_template")
    migrate_cash(Settings(database_url=url))
    return url


@dataclass
class World:
    ledger: httpx.AsyncClient
    service: Cash
    api: httpx.AsyncClient
    tag: str

    def id(self, name: str) -> str:
        return f"{self.tag}-{name}"

    async def sync(self) -> None:
        """Follow the ledger's feed until cash has every event committed so far. The feed is
        gap-safe: while another transaction is open on the server it holds back what
        committed after it, so one catch-up may stop short; :func:`follow` goes on while
        the consumer makes progress."""
        await follow(self.service.consumer)

    async def call(self, path: str, body: Any) -> Any:
        r = await self.ledger.post(path, json=body)
        assert r.status_code in (200, 201), r.text
        return r.json()

    async def suspense(self) -> str:
        """The SGD holding account's suspense balance in the ledger's trial balance."""
        r = await self.ledger.get("/v1/reports/trial-balance", params={"as_of": "2026-12-31"})
        [sgd] = [c for c in r.json()["currencies"] if c["currency"] == "SGD"]
        return str(sgd["accounts"].get("1900-suspense", "0.00"))

    async def fee(self, account_id: str, name: str, amount: str) -> str:
        fee_id = self.id(name)
        await self.call(
            f"/v1/accounts/{account_id}/adjustments",
            {
                "adjustment_id": fee_id,
                "amount": amount,
                "reason": "late fee",
                "effective_on": "2026-02-01",
            },
        )
        return fee_id

    async def account(self, name: str, label: str, jurisdiction: str = "SG") -> str:
        account_id = self.id(name)
        await self.call(
            "/v1/accounts",
            {
                "account_id": account_id,
                "name": label,
                "currency": "SGD",
                "jurisdiction": jurisdiction,
                "credit_limit": "100000.00",
                "payment_terms_days": 30,
                "opened_on": "2026-01-01",
            },
        )
        return account_id

    async def invoice(
        self,
        account_id: str,
        name: str,
        amount: str,
        due: str = "2026-01-31",
        policy_id: str | None = None,
    ) -> str:
        invoice_id = self.id(name)
        await self.call(
            f"/v1/accounts/{account_id}/invoices",
            {
                "invoice_id": invoice_id,
                "issue_date": "2026-01-01",
                "due_date": due,
                "policy_id": policy_id,
                "lines": [{"description": "Premium", "amount": amount}],
            },
        )
        return invoice_id

    async def open_amount(self, account_id: str, invoice_id: str) -> str:
        r = await self.ledger.get(f"/v1/accounts/{account_id}/invoices", params={"status": "all"})
        item = next(i for i in r.json()["invoices"] if i["invoice_id"] == invoice_id)
        return str(item["open_amount"])

    async def summary(self, account_id: str) -> dict[str, Any]:
        r = await self.ledger.get(f"/v1/accounts/{account_id}")
        return dict(r.json()["summary"])

    async def upload(self, raw: bytes, **params: Any) -> httpx.Response:
        return await self.api.post(
            "/v1/imports",
            content=raw,
            params=params,
            headers={"Content-Type": "application/xml", **user("clerk")},
        )

    async def lines(self, status: str | None = None) -> list[dict[str, Any]]:
        r = await self.api.get("/v1/lines", params={"status": status} if status else {})
        assert r.status_code == 200, r.text
        return list(r.json()["lines"])


@pytest.fixture(scope="session")
async def holding_account(ledger: InProcessLedger) -> str:
    """The ledger account unidentified SGD receipts are held on (cash's default)."""
    r = await ledger.client.post(
        "/v1/accounts",
        json={
            "account_id": "SUSPENSE-SGD",
            "name": "Suspense, SGD receipts",
            "currency": "SGD",
            "jurisdiction": "SG",
            "credit_limit": "0.00",
            "payment_terms_days": 0,
            "opened_on": "2000-01-01",
        },
    )
    assert r.status_code == 201, r.text
    return "SUSPENSE-SGD"


@pytest.fixture
async def world(
    holding_account: str,
    make_database: DatabaseFactory,
    cash_template: str,
    ledger: InProcessLedger,
) -> AsyncIterator[World]:
    url = make_database("cash", template=cash_template)
    settings = Settings(
        database_url=url,
        consume=False,
        ledger_url="http://ledger",
        allocation_orders={"HK": "fees_first", "SG/corporate": "fees_first"},
        bank_accounts=BANK_ACCOUNTS,
        **IDENTITY.settings(),
    )
    service = build(settings, ledger_client=ledger.client)
    transport = httpx.ASGITransport(app=create_cash_app(service))
    headers = IDENTITY.headers(ADMIN, subject="admin@test")
    async with httpx.AsyncClient(
        transport=transport, base_url="http://cash", headers=headers
    ) as api:
        yield World(ledger.client, service, api, f"C{next(_ids)}")
    await service.close()

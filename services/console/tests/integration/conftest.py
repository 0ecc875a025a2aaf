"""One live stack for the console's tests (session-scoped: building it and loading the
demo portfolio is the slow part): ledger, dunning, commission and the console on real
ports over real PostgreSQL, with a small demo year loaded through the APIs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from commission.adapters.http.app import create_app as commission_app
from commission.cli import migrate as migrate_commission
from commission.settings import Settings as CommissionSettings
from console.adapters.web.app import create_app as console_app
from console.bootstrap import utc_today
from console.demo.cli import last_month_end
from console.demo.load import Backends, Loader, Summary
from console.demo.model import Portfolio
from console.demo.plan import plan
from console.settings import Settings
from devstack.pytest_plugin import DatabaseFactory
from dunning.adapters.http.app import create_app as dunning_app
from dunning.cli import migrate as migrate_dunning
from dunning.settings import Settings as DunningSettings
from ledger.adapters.http.app import create_app as ledger_app
from ledger.cli import migrate as migrate_ledger
from ledger.settings import Settings as LedgerSettings
from servicekit.auth import ADMIN, COLLECTOR, TRUSTED_SERVICE
from servicekit.auth.testing import TestIdentity

from .stack import LiveStack, outbox

IDENTITY = TestIdentity(["ledger", "dunning", "commission"])
"""A throwaway issuer the stack's services trust."""
LOADER = IDENTITY.headers(ADMIN, TRUSTED_SERVICE, subject="demo-loader")
"""The demo loader: an admin service identity (its X-Actor names are recorded as such)."""
ADMIN_TOKEN = IDENTITY.token(ADMIN, subject="console-tester")
COLLECTOR_TOKEN = IDENTITY.token(COLLECTOR, subject="Mei Ling")

DEMO_POLICIES = 40
DEMO_SEED = 11


@dataclass
class Demo:
    stack: LiveStack
    portfolio: Portfolio
    summary: Summary
    console_url: str
    ledger_url: str
    dunning_url: str
    commission_url: str

    def load_again(self) -> Summary:
        """Load the same portfolio once more (a fresh loader: counts start at zero)."""

        async def again() -> Summary:
            async with self.clients() as backends:
                loader = Loader(backends)
                await loader.load(self.portfolio)
                await loader.finish(self.portfolio)
                return loader.summary

        return self.stack.run(again())

    def clients(self) -> _Clients:
        return _Clients(self.ledger_url, self.dunning_url, self.commission_url)


class _Clients:
    def __init__(self, *urls: str) -> None:
        self.clients = [httpx.AsyncClient(base_url=u, timeout=60, headers=LOADER) for u in urls]

    async def __aenter__(self) -> Backends:
        return Backends(*self.clients)

    async def __aexit__(self, *exc: object) -> None:
        for c in self.clients:
            await c.aclose()


@pytest.fixture(scope="session")
def demo(
    make_database: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    ledger_db, dunning_db, commission_db = (
        make_database(f"console_{name}") for name in ("ledger", "dunning", "commission")
    )
    trust = IDENTITY.settings()
    ledger_settings = LedgerSettings(database_url=ledger_db, chain_key="test-chain-key", **trust)
    migrate_ledger(ledger_settings)
    migrate_dunning(DunningSettings(database_url=dunning_db))
    migrate_commission(CommissionSettings(database_url=commission_db))
    stack = LiveStack()
    stack.start()
    try:
        ledger_url = stack.reserve("ledger")
        urls = {name: stack.reserve(name) for name in ("dunning", "commission", "console")}
        stack.serve("ledger", ledger_app(settings=ledger_settings))
        tmp = tmp_path_factory.mktemp("console-stack")
        stack.serve(
            "dunning",
            dunning_app(
                settings=DunningSettings(
                    database_url=dunning_db,
                    ledger_url=ledger_url,
                    outbox_dir=outbox(tmp),
                    ledger_token=IDENTITY.token(ADMIN, subject="dunning", audience="ledger"),
                    **trust,
                )
            ),
        )
        stack.serve(
            "commission",
            commission_app(
                settings=CommissionSettings(
                    database_url=commission_db,
                    ledger_url=ledger_url,
                    ledger_token=IDENTITY.token(ADMIN, subject="commission", audience="ledger"),
                    **trust,
                )
            ),
        )
        stack.serve(
            "console",
            console_app(
                settings=Settings(
                    ledger_url=ledger_url,
                    dunning_url=urls["dunning"],
                    commission_url=urls["commission"],
                )
            ),
        )
        portfolio = plan(
            seed=DEMO_SEED, policies=DEMO_POLICIES, through=last_month_end(utc_today())
        )
        found = Demo(
            stack,
            portfolio,
            Summary(),
            urls["console"],
            ledger_url,
            urls["dunning"],
            urls["commission"],
        )

        async def load() -> Summary:
            async with found.clients() as backends:
                loader = Loader(backends)
                await loader.load(portfolio)
                await loader.finish(portfolio)
                return loader.summary

        found.summary = stack.run(load())
        yield found
    finally:
        stack.stop()


@pytest.fixture
def console(demo: Demo) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=demo.console_url, timeout=30, follow_redirects=False) as c:
        r = c.post("/signin", data={"name": "Tester", "token": ADMIN_TOKEN})
        assert r.status_code == 303, r.text
        yield c

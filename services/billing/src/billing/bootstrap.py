"""The composition root: builds the adapters once from the settings and hands them down."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from prometheus_client import CollectorRegistry, Counter
from sqlalchemy.ext.asyncio import AsyncEngine

from billing.adapters.http.scopes import ROLES
from billing.adapters.kafka.publisher import OutboxPublisher
from billing.adapters.ledger import HttpLedger
from billing.adapters.postgres.store import PgStore
from billing.application.policies import Policies
from billing.application.ports import Clock, Ledger, SystemClock
from billing.application.runs import Runs
from billing.settings import Settings
from eventfeed.outbox import configured_publisher
from servicekit.auth import ApiKeyStore, Authenticator, authenticator_from
from servicekit.operations import HttpMetrics
from servicekit.unit_of_work import database_engine


class Metrics(HttpMetrics):
    """The request metrics every service has, and billing's documents and runs."""

    def __init__(self, registry: CollectorRegistry) -> None:
        super().__init__("billing", registry)
        self.documents = Counter(
            "billing_documents_total", "Documents recorded by billing", ["kind"], registry=registry
        )
        self.runs = Counter(
            "billing_runs_total", "Billing runs finished", ["status"], registry=registry
        )


@dataclass
class Billing:
    settings: Settings
    engine: AsyncEngine
    store: PgStore
    ledger: HttpLedger
    policies: Policies
    runs: Runs
    registry: CollectorRegistry
    metrics: Metrics
    authenticator: Authenticator
    publisher: OutboxPublisher | None = None

    async def close(self) -> None:
        if self.publisher is not None:
            await self.publisher.close()
        await self.ledger.close()
        await self.engine.dispose()


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ledger_http: httpx.AsyncClient | None = None,
    ledger: Ledger | None = None,
) -> Billing:
    """``ledger_http``: a client for the ledger (tests pass one on the ledger's ASGI app);
    ``ledger``: another implementation of the ledger port (tests: one that fails)."""
    engine = database_engine(settings)
    store = PgStore(engine)
    http_ledger = HttpLedger(
        settings.ledger_url, client=ledger_http, headers=settings.ledger_headers()
    )
    policies = Policies(store, ledger or http_ledger, clock or SystemClock(), settings.tax_rates)
    registry = CollectorRegistry()
    return Billing(
        settings=settings,
        engine=engine,
        store=store,
        ledger=http_ledger,
        policies=policies,
        runs=Runs(
            store, policies, max_days_ahead=settings.max_days_ahead, workers=settings.run_workers
        ),
        registry=registry,
        metrics=Metrics(registry),
        authenticator=authenticator_from(
            settings,
            ROLES,
            ApiKeyStore(engine, cache_seconds=settings.auth_api_key_cache_seconds),
        ),
        publisher=configured_publisher(OutboxPublisher, engine, settings),
    )

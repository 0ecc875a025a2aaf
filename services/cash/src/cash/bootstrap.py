"""The composition root: builds the engine, the ledger client, the consumer and the
application once, and hands them down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import httpx
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine

from cash.adapters.formats.debit_files import DebitFileWriter
from cash.adapters.http.scopes import ROLES
from cash.adapters.ledger.client import HttpLedger
from cash.adapters.names import FuzzyNames
from cash.adapters.postgres.debits import debit_unit_of_work
from cash.adapters.postgres.directory import apply
from cash.adapters.postgres.store import unit_of_work
from cash.application.apply import CashApplication
from cash.application.collecting import Collections
from cash.application.mandates import Mandates
from cash.application.ports import Clock
from cash.domain import holding
from cash.domain.allocation import AllocationOrders
from cash.domain.bank_accounts import BankAccounts
from cash.domain.matching import MatchPolicy
from cash.domain.money import DECIMAL
from cash.settings import Settings
from eventfeed import Consumer, ConsumerMetrics, DeadLetters, Source, make_source
from servicekit.auth import ApiKeyStore, Authenticator, authenticator_from
from servicekit.clock import SystemClock
from servicekit.transient import JobRetries
from servicekit.unit_of_work import database_engine


@dataclass
class Cash:
    settings: Settings
    engine: AsyncEngine
    clock: Clock
    registry: CollectorRegistry
    consumer: Consumer
    ledger: HttpLedger
    app: CashApplication
    authenticator: Authenticator
    mandates: Mandates
    collections: Collections
    retries: Callable[[], JobRetries] = JobRetries  # processing lines: the retry budget

    def dead_letters(self) -> DeadLetters:
        c = self.consumer
        return DeadLetters(c.name, self.engine, c.handler, tables=c.tables, metrics=c.metrics)

    async def close(self) -> None:
        await self.ledger.close()
        await self.engine.dispose()


def policy(settings: Settings) -> MatchPolicy:
    tolerance = {}
    for jurisdiction, text in settings.tolerances.items():
        if not DECIMAL.fullmatch(text):
            raise SystemExit(f"CASH_TOLERANCES: {jurisdiction} {text!r} is not an amount like 5.00")
        tolerance[jurisdiction] = Decimal(text)
    return MatchPolicy(settings.auto_post_threshold, tolerance)


def orders(settings: Settings) -> AllocationOrders:
    try:
        return AllocationOrders(dict(settings.allocation_orders))
    except ValueError as e:
        raise SystemExit(f"CASH_ALLOCATION_ORDERS: {e}") from None


def bank_accounts(settings: Settings) -> BankAccounts:
    try:
        return BankAccounts(dict(settings.bank_accounts))
    except ValueError as e:
        raise SystemExit(f"CASH_BANK_ACCOUNTS: {e}") from None


def suspense_accounts(settings: Settings) -> dict[str, str]:
    try:
        holding.check(settings.suspense_accounts)
    except ValueError as e:
        raise SystemExit(f"CASH_SUSPENSE_ACCOUNTS: {e}") from None
    return dict(settings.suspense_accounts)


def debit_files(settings: Settings) -> DebitFileWriter:
    try:
        return DebitFileWriter(settings.sepa_creditor)
    except ValueError as e:
        raise SystemExit(f"CASH_SEPA_CREDITOR: {e}") from None


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ledger_client: httpx.AsyncClient | None = None,
    source: Source | None = None,
) -> Cash:
    """``ledger_client``: a client for the ledger (tests pass one on its ASGI app), used
    for postings and, without Kafka, for the event feed."""
    engine = database_engine(settings)
    registry = CollectorRegistry()
    if source is None:
        source = make_source(
            group_id=settings.consumer_name,
            kafka_bootstrap_servers=settings.kafka_bootstrap_servers,
            kafka_topic=settings.kafka_topic,
            ledger_url=settings.ledger_url,
            headers=settings.ledger_headers(),
        )
        if ledger_client is not None and not settings.kafka_bootstrap_servers:
            from eventfeed import HttpFeedSource

            source = HttpFeedSource(settings.ledger_url, client=ledger_client)
    consumer = Consumer(
        settings.consumer_name, engine, apply, source, metrics=ConsumerMetrics(registry)
    )
    ledger = HttpLedger(
        settings.ledger_url,
        client=ledger_client,
        actor=settings.ledger_actor,
        headers=settings.ledger_headers(),
    )
    the_clock = clock or SystemClock()
    debits = debit_unit_of_work(engine)
    collections = Collections(debits, ledger, debit_files(settings), the_clock)
    app = CashApplication(
        unit_of_work(engine),
        ledger,
        FuzzyNames(),
        the_clock,
        policy(settings),
        settings.ledger_actor,
        suspense_accounts(settings),
        orders(settings),
        collections=collections,
        bank_accounts=bank_accounts(settings),
    )
    keys = ApiKeyStore(engine, cache_seconds=settings.auth_api_key_cache_seconds)
    authenticator = authenticator_from(settings, ROLES, keys)
    return Cash(
        settings,
        engine,
        the_clock,
        registry,
        consumer,
        ledger,
        app,
        authenticator,
        Mandates(debits, the_clock),
        collections,
    )

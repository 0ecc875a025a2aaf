"""The composition root: builds the engine, the event consumer and the metrics once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine

from commission.adapters.http.scopes import ROLES
from commission.adapters.postgres.books import apply
from commission.adapters.postgres.unit_of_work import PostgresUnitOfWork, unit_of_work_factory
from commission.application.clock import Clock, SystemClock
from commission.settings import Settings
from eventfeed import (
    Consumer,
    ConsumerMetrics,
    DeadLetters,
    Handler,
    HttpFeedSource,
    KafkaSource,
    Source,
)
from servicekit.auth import ApiKeyStore, Authenticator, authenticator_from
from servicekit.transient import JobRetries
from servicekit.unit_of_work import UnitOfWorkFactory, database_engine


@dataclass
class Commission:
    settings: Settings
    engine: AsyncEngine
    clock: Clock
    registry: CollectorRegistry
    consumer: Consumer
    authenticator: Authenticator
    feed_client: httpx.AsyncClient | None = None
    settle_retries: Callable[[], JobRetries] = JobRetries  # a settlement's retry budget
    uow: UnitOfWorkFactory[PostgresUnitOfWork] = field(init=False)

    def __post_init__(self) -> None:
        self.uow = unit_of_work_factory(self.engine)

    def dead_letters(self) -> DeadLetters:
        """The consumer's dead letters, retried with its handler."""
        c = self.consumer
        return DeadLetters(c.name, self.engine, c.handler, tables=c.tables, metrics=c.metrics)

    def replay_consumer(self) -> Consumer:
        """The consumer of ``commission replay``: the ledger's HTTP feed from position 0,
        even when the live one reads Kafka (whose retention may have dropped the oldest
        events, and whose group offsets would resume where the live consumer is)."""
        c = self.consumer
        source = HttpFeedSource(
            self.settings.ledger_url,
            client=self.feed_client,
            headers=self.settings.ledger_headers(),
        )
        return Consumer(c.name, self.engine, c.handler, source, metrics=c.metrics)

    async def close(self) -> None:
        await self.engine.dispose()


def make_source(settings: Settings, *, feed_client: httpx.AsyncClient | None = None) -> Source:
    """Kafka when bootstrap servers are set, else the ledger's HTTP feed."""
    if settings.kafka_bootstrap_servers:
        return KafkaSource(
            settings.kafka_bootstrap_servers,
            group_id=settings.consumer_name,
            topic=settings.kafka_topic,
        )
    return HttpFeedSource(
        settings.ledger_url, client=feed_client, headers=settings.ledger_headers()
    )


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    feed_client: httpx.AsyncClient | None = None,
    source: Source | None = None,
    handler: Handler = apply,
) -> Commission:
    """``feed_client``: a client for the ledger's feed (tests pass one on its ASGI app);
    ``source``: the consumer's transport (default from the settings); ``handler``: the
    consumer's handler."""
    engine = database_engine(settings)
    registry = CollectorRegistry()
    consumer = Consumer(
        settings.consumer_name,
        engine,
        handler,
        source or make_source(settings, feed_client=feed_client),
        metrics=ConsumerMetrics(registry),
    )
    keys = ApiKeyStore(engine, cache_seconds=settings.auth_api_key_cache_seconds)
    return Commission(
        settings,
        engine,
        clock or SystemClock(),
        registry,
        consumer,
        authenticator_from(settings, ROLES, keys),
        feed_client,
    )

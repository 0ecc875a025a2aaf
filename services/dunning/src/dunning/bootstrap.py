"""The composition root: builds the adapters once from the settings and hands them down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine

from dunning.adapters.http.scopes import ROLES
from dunning.adapters.kafka.publisher import OutboxPublisher
from dunning.adapters.ledger_client.client import HttpLedger
from dunning.adapters.policy_file import load_policies
from dunning.adapters.postgres.consumer import Applier, reset_projection
from dunning.adapters.postgres.unit_of_work import PostgresUnitOfWork, unit_of_work_factory
from dunning.adapters.smtp.mailers import OutboxDirMailer, SmtpMailer
from dunning.application.effects import Effects
from dunning.application.ports import Clock, Mailer
from dunning.application.replay import ReplayReport, replay_projection
from dunning.domain.policies import PolicySet
from dunning.settings import Settings
from eventfeed import (
    Consumer,
    ConsumerMetrics,
    DeadLetters,
    HttpFeedSource,
    KafkaSource,
    Source,
    replay,
)
from eventfeed.outbox import configured_publisher
from servicekit.auth import ApiKeyStore, Authenticator, authenticator_from
from servicekit.clock import SystemClock
from servicekit.operations import HttpMetrics
from servicekit.transient import JobRetries
from servicekit.unit_of_work import UnitOfWorkFactory, database_engine

CONSUMER_NAME = "dunning"


@dataclass
class Dunning:
    settings: Settings
    engine: AsyncEngine
    uow: UnitOfWorkFactory[PostgresUnitOfWork]
    policies: PolicySet
    clock: Clock
    ledger: HttpLedger
    effects: Effects
    applier: Applier
    registry: CollectorRegistry
    consumer_metrics: ConsumerMetrics
    http_metrics: HttpMetrics
    authenticator: Authenticator
    publisher: OutboxPublisher | None = None
    ledger_http: httpx.AsyncClient | None = field(default=None, repr=False)
    run_retries: Callable[[], JobRetries] = JobRetries  # a dunning run's retry budget

    def consumer(self, source: Source | None = None, *, project_only: bool = False) -> Consumer:
        """A consumer of the ledger's events (Kafka if configured, else the HTTP feed).

        ``project_only``: only rebuild the receivables projection, deciding nothing (for
        ``dunning replay``: old events must not lower or clear today's levels).
        """
        s = self.settings
        if source is None:
            if s.kafka_bootstrap_servers:
                source = KafkaSource(
                    s.kafka_bootstrap_servers, group_id=CONSUMER_NAME, topic=s.kafka_ledger_topic
                )
            else:
                source = self.feed()
        applier = Applier(self.policies, project_only=True) if project_only else self.applier
        return Consumer(
            CONSUMER_NAME,
            self.engine,
            applier.apply,
            source,
            metrics=self.consumer_metrics,
            batch=applier.batch,
        )

    def feed(self) -> HttpFeedSource:
        """The ledger's HTTP feed, which keeps every event (a replay reads it, never Kafka,
        whose retention may have dropped the oldest and whose group offsets are not 0)."""
        return HttpFeedSource(
            self.settings.ledger_url,
            client=self.ledger_http,
            headers=self.settings.ledger_headers(),
        )

    def replay_consumer(self) -> Consumer:
        """The consumer of ``dunning replay``: the HTTP feed from position 0, project only."""
        return self.consumer(self.feed(), project_only=True)

    async def replay(self) -> ReplayReport:
        """``dunning replay``: rebuild the receivables projection from ledger event 0 and
        compare it with the live one (stop the live consumer first)."""

        async def rebuild() -> int:
            return await replay(self.replay_consumer(), reset_projection)

        return await replay_projection(self.uow, rebuild)

    def dead_letters(self) -> DeadLetters:
        """The consumer's dead letters, retried with the live handler."""
        return DeadLetters(
            CONSUMER_NAME, self.engine, self.applier.apply, metrics=self.consumer_metrics
        )

    async def close(self) -> None:
        if self.publisher is not None:
            await self.publisher.close()
        await self.ledger.close()
        await self.engine.dispose()


def mailer(settings: Settings) -> Mailer:
    if not settings.smtp_host:
        return OutboxDirMailer(settings.outbox_dir)
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value(),
        start_tls=settings.smtp_starttls,
        use_tls=settings.smtp_use_tls,
        timeout=settings.smtp_timeout,
    )


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ledger_http: httpx.AsyncClient | None = None,
    policies: PolicySet | None = None,
    applier: Applier | None = None,
) -> Dunning:
    """``ledger_http``: a client for the ledger (tests pass one on the ledger's ASGI app);
    ``applier``: the consumer's handler (default: ``Applier(policies)``)."""
    engine = database_engine(settings)
    policies = policies or load_policies(settings.policy_file)
    ledger = HttpLedger(settings.ledger_url, client=ledger_http, headers=settings.ledger_headers())
    uow = unit_of_work_factory(engine)
    effects = Effects(
        uow=uow,
        mailer=mailer(settings),
        letters=OutboxDirMailer(settings.outbox_dir),
        ledger=ledger,
        sender=settings.smtp_sender,
    )
    registry = CollectorRegistry()
    return Dunning(
        settings=settings,
        engine=engine,
        uow=uow,
        policies=policies,
        clock=clock or SystemClock(),
        ledger=ledger,
        effects=effects,
        applier=applier or Applier(policies),
        registry=registry,
        consumer_metrics=ConsumerMetrics(registry),
        http_metrics=HttpMetrics("dunning", registry),
        publisher=configured_publisher(OutboxPublisher, engine, settings),
        ledger_http=ledger_http,
        authenticator=authenticator_from(
            settings,
            ROLES,
            ApiKeyStore(engine, cache_seconds=settings.auth_api_key_cache_seconds),
        ),
    )

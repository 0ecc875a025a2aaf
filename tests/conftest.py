"""Fixtures of the cross-service tests: a ledger on its own database, served in-process, with
the relay publishing to the Tansu broker, and consumer databases."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from devstack.kafka import KafkaBroker
from devstack.pytest_plugin import DatabaseFactory
from ledger.adapters.http.app import create_app
from ledger.bootstrap import Ledger, build
from ledger.cli import migrate
from ledger.settings import Settings
from servicekit.auth import ADMIN
from servicekit.auth.testing import TestIdentity

IDENTITY = TestIdentity("ledger")
"""A throwaway issuer the test ledger trusts."""


@pytest.fixture(scope="session")
def stream_settings(make_database: DatabaseFactory, kafka_broker: KafkaBroker) -> Settings:
    settings = Settings(
        database_url=make_database("stream_ledger"),
        chain_key="test-chain-key",
        kafka_bootstrap_servers=kafka_broker.bootstrap_servers,
        kafka_idempotent_producer=False,  # Tansu has no idempotent producer
        relay_in_serve=False,  # each test runs its own relay
        **IDENTITY.settings(),
    )
    migrate(settings)
    return settings


@pytest.fixture(scope="session")
async def stream_ledger(stream_settings: Settings) -> AsyncIterator[Ledger]:
    built = build(stream_settings)
    yield built
    await built.close()


@pytest.fixture(scope="session")
async def ledger_client(stream_ledger: Ledger) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(stream_ledger))
    headers = IDENTITY.headers(ADMIN, subject="e2e")
    async with httpx.AsyncClient(
        transport=transport, base_url="http://ledger", headers=headers
    ) as c:
        yield c


@pytest.fixture
def topic_settings(stream_settings: Settings) -> Settings:
    """The ledger settings with a topic of this test's own (the broker is shared)."""
    return stream_settings.model_copy(
        update={"kafka_topic": f"receivables.ledger.test-{uuid.uuid4().hex[:8]}"}
    )


@pytest.fixture
async def consumer_engine(make_database: DatabaseFactory) -> AsyncIterator[AsyncEngine]:
    from .e2e.support import create_schema

    engine = create_async_engine(make_database("consumer"), pool_size=5)
    await create_schema(engine)
    yield engine
    await engine.dispose()

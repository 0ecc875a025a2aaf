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
from ledger.bootstrap import Ledger
from ledger.settings import Settings
from ledger.testing import InProcessLedger, in_process
from servicekit.auth.testing import TestIdentity

IDENTITY = TestIdentity("ledger")
"""A throwaway issuer the test ledger trusts."""


@pytest.fixture(scope="session")
async def stream(
    make_database: DatabaseFactory, kafka_broker: KafkaBroker
) -> AsyncIterator[InProcessLedger]:
    async with in_process(
        make_database("stream_ledger"),
        IDENTITY,
        subject="e2e",
        kafka_bootstrap_servers=kafka_broker.bootstrap_servers,
        kafka_idempotent_producer=False,  # Tansu has no idempotent producer
        relay_in_serve=False,  # each test runs its own relay
    ) as running:
        yield running


@pytest.fixture(scope="session")
def stream_settings(stream: InProcessLedger) -> Settings:
    return stream.settings


@pytest.fixture(scope="session")
def stream_ledger(stream: InProcessLedger) -> Ledger:
    return stream.service


@pytest.fixture(scope="session")
def ledger_client(stream: InProcessLedger) -> httpx.AsyncClient:
    return stream.client


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

"""Dunning's events reach receivables.dunning.v1 on a real broker, in CloudEvents form."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer

from devstack.kafka import KafkaBroker
from devstack.pytest_plugin import DatabaseFactory
from eventfeed.envelope import from_kafka

from .conftest import Stack, invoice, make_stack, open_account


@pytest.fixture
async def kafka_stack(
    make_database: DatabaseFactory,
    ledger_template: str,
    dunning_template: str,
    tmp_path: Path,
    kafka_broker: KafkaBroker,
) -> AsyncIterator[Stack]:
    async for s in make_stack(
        make_database,
        ledger_template,
        dunning_template,
        tmp_path,
        kafka_bootstrap_servers=kafka_broker.bootstrap_servers,
        kafka_topic="receivables.dunning.v1.test",
        kafka_idempotent_producer=False,
    ):
        yield s


async def test_outbox_is_published_once_with_the_account_as_key(
    kafka_stack: Stack,
    kafka_broker: KafkaBroker,
) -> None:
    s = kafka_stack
    await open_account(s, "K1")
    await invoice(s, "K1", "I1", "100.00", due="2026-01-31", policy_id="POL-K")
    await s.run("2026-02-01")
    publisher = s.dunning.publisher
    assert publisher is not None
    assert await publisher.publish_pending() == 2
    assert await publisher.publish_pending() == 0  # marked published: not sent again
    consumer = AIOKafkaConsumer(
        "receivables.dunning.v1.test",
        bootstrap_servers=kafka_broker.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    try:
        got = []
        async with asyncio.timeout(20):
            while len(got) < 2:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    got += [from_kafka(r.key, r.value, r.headers) for r in records]
    finally:
        await consumer.stop()
    assert [e.type for e in got] == ["DunningLevelReached", "ReminderSent"]
    assert {e.account_id for e in got} == {"K1"}
    assert [e.version for e in got] == [1, 2]
    history = (await s.view("K1"))["history"]
    assert [h["event_id"] for h in history] == [str(e.event_id) for e in got]
    assert all(h["published"] for h in history)

"""The same accruals through the real broker: ledger -> relay -> Kafka (Tansu) -> commission."""

from __future__ import annotations

import uuid

from commission.bootstrap import build
from commission.settings import Settings
from devstack.kafka import KafkaBroker
from devstack.testing import running, wait_for
from eventfeed import Backoff, KafkaSource
from ledger.adapters.kafka.relay import Relay
from ledger.testing import InProcessLedger

from .conftest import World


async def test_accruals_arrive_through_kafka(
    world: World, ledger: InProcessLedger, kafka_broker: KafkaBroker
) -> None:
    tag = uuid.uuid4().hex[:8]
    relay_settings = ledger.settings.model_copy(
        update={
            "kafka_bootstrap_servers": kafka_broker.bootstrap_servers,
            "kafka_idempotent_producer": False,  # Tansu has no idempotent producer
            "kafka_topic": f"receivables.ledger.commission-{tag}",
        }
    )
    relay = Relay(
        ledger.service.engine,
        relay_settings,
        name=f"commission-{tag}",
        backoff=Backoff(initial=0.1, maximum=0.5),
    )
    source = KafkaSource(
        kafka_broker.bootstrap_servers,
        topic=relay_settings.kafka_topic,
        group_id=f"commission-{tag}",
    )
    service = build(
        Settings(database_url=world.service.settings.database_url, consume=False), source=source
    )
    service.consumer.poll_wait = 0.2

    broker = await world.broker()
    await world.agreement(broker, "AG", "2026-01-01", "0.15", "0.05")
    acc = await world.account(broker_id=broker)
    inv = await world.invoice(acc, "INV", [("1000.00", 1), ("500.00", 2)], "2026-11-02")
    await world.pay(acc, "PAY", "600.00", "2026-11-10", inv)
    await world.pay(acc, "PAY2", "900.00", "2026-11-20", inv)

    async def accrued() -> bool:
        return await world.net(broker) == "175.00"

    try:
        async with running(relay, service.consumer):
            await wait_for(
                accrued,
                60,
                "the accruals to arrive through Kafka",
                progress=lambda: (relay.position, service.consumer.status().position),
            )
            # a settlement's wait: the end offsets of the partitions, as of now, are reached
            assert await service.consumer.catch_up(max_seconds=30)
    finally:
        await service.close()
    assert service.consumer.status().transport == "kafka"

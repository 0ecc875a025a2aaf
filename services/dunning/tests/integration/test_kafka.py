"""Dunning on a real broker (Tansu): the ledger's events arrive through the relay and
receivables.ledger.v1; dunning's own reach receivables.dunning.v1, in CloudEvents form."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from devstack.kafka import KafkaBroker
from devstack.pytest_plugin import DatabaseFactory
from devstack.testing import read_topic, running, wait_for
from eventfeed import Backoff
from eventfeed.envelope import from_kafka
from ledger.adapters.kafka.relay import Relay

from .conftest import Stack, invoice, make_stack, open_account, pay


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
        kafka_ledger_topic=f"receivables.ledger.dunning-{uuid.uuid4().hex[:8]}",
        kafka_idempotent_producer=False,
    ):
        yield s


async def test_ledger_events_arrive_through_the_relay_and_kafka(
    kafka_stack: Stack, kafka_broker: KafkaBroker
) -> None:
    s = kafka_stack
    ledger = s.ledger_service
    relay = Relay(
        ledger.engine,
        ledger.settings.model_copy(
            update={
                "kafka_bootstrap_servers": kafka_broker.bootstrap_servers,
                "kafka_idempotent_producer": False,  # Tansu has no idempotent producer
                "kafka_topic": s.dunning.settings.kafka_ledger_topic,
            }
        ),
        name="dunning-test",
        backoff=Backoff(initial=0.1, maximum=0.5),
    )
    consumer = s.dunning.consumer()  # the service's own wiring: Kafka, as configured
    consumer.poll_wait = 0.2
    assert consumer.source.kind == "kafka"

    async def account() -> dict[str, Any]:  # never s.view(): it would read the HTTP feed
        r = await s.api.get("/v1/accounts/KIN/dunning")
        return r.json() if r.status_code == 200 else {}

    async def open_items() -> list[str]:
        return [i["invoice_id"] for i in (await account()).get("open_items", [])]

    await open_account(s, "KIN")
    await invoice(s, "KIN", "I1", "100.00", due="2026-01-31", policy_id="POL-A")
    await invoice(s, "KIN", "I2", "50.00", due="2026-01-31", policy_id="POL-B")

    def moving() -> tuple[int, int]:  # the waits below go on while events move
        return relay.position, consumer.status().position

    async with running(relay, consumer):

        async def invoiced() -> bool:
            return await open_items() == ["I1", "I2"]

        await wait_for(invoiced, 60, "the invoices to reach dunning through Kafka", progress=moving)
        r = await s.api.post("/v1/dunning-runs", json={"as_of": "2026-02-02"})
        assert r.json()["actions"]["DunningLevelReached"] == 1
        assert ((await account())["level"], (await account())["overdue"]) == (1, "150.00")

        await pay(s, "KIN", "P1", "100.00", on="2026-02-03", invoice_id="I1")
        await pay(s, "KIN", "P2", "50.00", on="2026-02-03", invoice_id="I2")

        async def cleared() -> bool:  # by the payment events alone: no run
            return (await account()).get("level") == 0

        await wait_for(
            cleared, 60, "the payments to clear the level through Kafka", progress=moving
        )
    view = await account()
    assert (view["balance"], view["open_items"]) == ("0.00", [])
    assert [h["type"] for h in view["history"]][-1] == "DunningCleared"
    status = consumer.status()
    assert (status.transport, status.dead_letters, status.gaps) == ("kafka", 0, 0)


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
    records = await read_topic(kafka_broker.bootstrap_servers, "receivables.dunning.v1.test", 2)
    got = [from_kafka(r.key, r.value, r.headers) for r in records]
    assert [e.type for e in got] == ["DunningLevelReached", "ReminderSent"]
    assert {e.account_id for e in got} == {"K1"}
    assert [e.version for e in got] == [1, 2]
    history = (await s.view("K1"))["history"]
    assert [h["event_id"] for h in history] == [str(e.event_id) for e in got]
    assert all(h["published"] for h in history)

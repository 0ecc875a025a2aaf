"""The Tansu broker behind the kafka_broker fixture speaks Kafka to aiokafka and restarts."""

import asyncio
import uuid

import pytest

from devstack._net import port_open
from devstack.kafka import KafkaBroker

aiokafka = pytest.importorskip("aiokafka")


async def produce(bootstrap: str, topic: str, *messages: bytes) -> None:
    # Tansu does not implement the idempotent producer.
    producer = aiokafka.AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=False, acks="all"
    )
    await producer.start()
    try:
        for value in messages:
            await producer.send_and_wait(topic, value, key=b"account-1")
    finally:
        await producer.stop()


async def consume(bootstrap: str, topic: str, count: int) -> list[bytes]:
    consumer = aiokafka.AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    try:
        received: list[bytes] = []
        while len(received) < count:
            message = await asyncio.wait_for(consumer.getone(), timeout=20)
            received.append(message.value)
        return received
    finally:
        await consumer.stop()


def new_topic() -> str:
    return f"devstack.test.{uuid.uuid4().hex[:8]}"


async def test_produce_and_consume_round_trip(kafka_broker: KafkaBroker) -> None:
    topic = new_topic()

    await produce(kafka_broker.bootstrap_servers, topic, b"one", b"two")

    assert await consume(kafka_broker.bootstrap_servers, topic, 2) == [b"one", b"two"]


async def test_broker_comes_back_on_the_same_address_after_stop(
    kafka_broker: KafkaBroker,
) -> None:
    address = kafka_broker.bootstrap_servers
    host, port = kafka_broker.host, kafka_broker.port
    assert port is not None

    kafka_broker.stop()
    assert not kafka_broker.is_running
    assert not port_open(host, port)
    kafka_broker.start()

    assert kafka_broker.bootstrap_servers == address
    topic = new_topic()
    await produce(address, topic, b"after restart")
    assert await consume(address, topic, 1) == [b"after restart"]


def test_a_broker_left_stopped_by_a_test_is_started_again(kafka_broker: KafkaBroker) -> None:
    # Runs after the test above in file order; that test restarted it itself, so stop it here
    # and let the plugin's teardown bring it back for later tests.
    kafka_broker.stop()


def test_broker_is_running_again_after_a_test_stopped_it(kafka_broker: KafkaBroker) -> None:
    assert kafka_broker.is_running


def test_standalone_broker_restart_keeps_its_port(tmp_path) -> None:
    with KafkaBroker(log_path=tmp_path / "tansu.log") as broker:
        first = broker.bootstrap_servers
        assert broker.restart() == first
        assert port_open(broker.host, broker.port or 0)
    assert not broker.is_running
    assert "listening on" in (tmp_path / "tansu.log").read_text()

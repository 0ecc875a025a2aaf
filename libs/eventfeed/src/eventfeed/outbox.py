"""Publishing a service's outbox table to Kafka, at least once and in outbox order.

A service keeps the events it publishes in a table written in the same transaction as
its state; :class:`OutboxPublisher` takes the oldest unpublished rows (the service says
how, locking them so a second publisher skips them), sends each in the CloudEvents
envelope of the ledger's topic (Kafka binding, binary mode) under the service's
``source``, waits for the broker's acknowledgements and only then marks the rows
published, in the same transaction. Consumers deduplicate by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from eventfeed.envelope import headers_list, key_bytes, to_kafka
from eventfeed.event import LedgerEvent

Row = dict[str, Any]
Take = Callable[[AsyncConnection, int], Awaitable[list[Row]]]
Mark = Callable[[AsyncConnection, list[Row]], Awaitable[None]]
P = TypeVar("P")


class KafkaOutboxSettings(Protocol):
    """The settings of a service that publishes its outbox (empty servers: it does not)."""

    kafka_bootstrap_servers: str
    kafka_topic: str
    kafka_idempotent_producer: bool


def configured_publisher(
    publisher: Callable[..., P], engine: AsyncEngine, settings: KafkaOutboxSettings
) -> P | None:
    """The service's ``publisher`` (its :class:`OutboxPublisher`) on ``engine`` when Kafka
    is configured; None when not (the events stay in the outbox table)."""
    if not settings.kafka_bootstrap_servers:
        return None
    return publisher(
        engine,
        settings.kafka_bootstrap_servers,
        settings.kafka_topic,
        idempotent=settings.kafka_idempotent_producer,
    )


async def start_producer(producer: AIOKafkaProducer) -> AIOKafkaProducer:
    """``producer``, started; stopped again (its connections closed) when it cannot start,
    and the error raised."""
    try:
        await producer.start()
    except BaseException:
        with contextlib.suppress(Exception):
            await producer.stop()
        raise
    return producer


class OutboxPublisher:
    """``take(conn, limit)``: the oldest unpublished rows, locked; ``mark(conn, rows)``:
    record them as published; ``envelope(row)``: the row as an event of the stream."""

    def __init__(
        self,
        engine: AsyncEngine,
        bootstrap_servers: str,
        topic: str,
        *,
        source: str,
        take: Take,
        mark: Mark,
        envelope: Callable[[Row], LedgerEvent],
        idempotent: bool = True,
        batch: int = 200,
    ) -> None:
        self.engine, self.topic, self.batch, self.source = engine, topic, batch, source
        self.take, self.mark, self.envelope = take, mark, envelope
        self.bootstrap_servers, self.idempotent = bootstrap_servers, idempotent
        self.producer: AIOKafkaProducer | None = None  # made on first use: an unstarted
        # producer warns when collected (a CLI command that never publishes)

    async def _started(self) -> AIOKafkaProducer:
        if self.producer is None:
            self.producer = await start_producer(
                AIOKafkaProducer(
                    bootstrap_servers=self.bootstrap_servers,
                    enable_idempotence=self.idempotent,
                    acks="all",
                )
            )
        return self.producer

    async def publish_pending(self) -> int:
        """Publish every unpublished row; the number sent."""
        producer = await self._started()
        sent = 0
        while True:
            async with self.engine.begin() as conn:
                rows = await self.take(conn, self.batch)
                if not rows:
                    return sent
                futures = []
                for row in rows:
                    msg = to_kafka(self.envelope(row), self.source)
                    futures.append(
                        await producer.send(
                            self.topic,
                            value=msg.value,
                            key=key_bytes(msg),
                            headers=headers_list(msg),
                        )
                    )
                await asyncio.gather(*futures)
                await self.mark(conn, rows)
                sent += len(rows)

    async def close(self) -> None:
        producer, self.producer = self.producer, None
        if producer is not None:
            await producer.stop()

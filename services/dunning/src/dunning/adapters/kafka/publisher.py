"""Publishing dunning's events from the outbox table to ``receivables.dunning.v1``.

At least once, in outbox order, key = account id, CloudEvents envelope (the same Kafka
binding as the ledger's events, source ``/receivables/dunning``). A row is marked
published only after the broker acknowledged it; consumers deduplicate by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncEngine

from dunning.adapters.postgres import queues
from eventfeed import LedgerEvent
from eventfeed.envelope import DUNNING_SOURCE, headers_list, key_bytes, to_kafka

log = logging.getLogger(__name__)


def as_envelope_event(row: dict[str, Any]) -> LedgerEvent:
    recorded = row["recorded_at"] or datetime.now(UTC)
    return LedgerEvent(
        position=row["seq"],
        account_id=row["account_id"],
        version=row["stream_version"],
        event_id=row["event_id"],
        type=row["event_type"],
        schema_version=row["schema_version"],
        data=row["data"],
        effective_date=row["occurred_on"],
        recorded_at=recorded,
        actor="dunning",
    )


class OutboxPublisher:
    def __init__(
        self,
        engine: AsyncEngine,
        bootstrap_servers: str,
        topic: str,
        *,
        idempotent: bool = True,
        batch: int = 200,
    ) -> None:
        self.engine, self.topic, self.batch = engine, topic, batch
        self.bootstrap_servers, self.idempotent = bootstrap_servers, idempotent
        self.producer: AIOKafkaProducer | None = None  # made on first use: an unstarted
        # producer warns when collected (a CLI command that never publishes)

    async def _started(self) -> AIOKafkaProducer:
        if self.producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap_servers,
                enable_idempotence=self.idempotent,
                acks="all",
            )
            try:
                await producer.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await producer.stop()
                raise
            self.producer = producer
        return self.producer

    async def publish_pending(self) -> int:
        producer = await self._started()
        sent = 0
        while True:
            async with self.engine.begin() as conn:
                rows = await queues.unpublished(conn, self.batch)
                if not rows:
                    return sent
                futures = []
                for row in rows:
                    msg = to_kafka(as_envelope_event(row), DUNNING_SOURCE)
                    futures.append(
                        await producer.send(
                            self.topic,
                            value=msg.value,
                            key=key_bytes(msg),
                            headers=headers_list(msg),
                        )
                    )
                await asyncio.gather(*futures)
                await queues.mark_published(conn, [r["event_id"] for r in rows])
                sent += len(rows)

    async def close(self) -> None:
        producer, self.producer = self.producer, None
        if producer is not None:
            await producer.stop()

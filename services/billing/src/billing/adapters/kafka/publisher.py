"""Publishing billing's events from the outbox (the policy event table) to Kafka.

At least once, in order per policy, key = the policy id, CloudEvents envelope (the same
binding as the ledger's events, source ``/receivables/billing``). An event is marked
published only after the broker acknowledged it; consumers deduplicate by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncEngine

from billing.adapters.postgres import outbox
from eventfeed import LedgerEvent
from eventfeed.envelope import BILLING_SOURCE, headers_list, key_bytes, to_kafka


def as_envelope_event(row: dict[str, Any]) -> LedgerEvent:
    return LedgerEvent(
        position=row["seq"],
        account_id=row["policy_id"],
        version=row["version"],
        event_id=row["event_id"],
        type=row["event_type"],
        schema_version=row["schema_version"],
        data=row["data"],
        effective_date=row["recorded_at"].date(),
        recorded_at=row["recorded_at"],
        actor=row["actor"],
    )


class OutboxPublisher:
    def __init__(
        self,
        engine: AsyncEngine,
        bootstrap_servers: str,
        topic: str,
        *,
        idempotent: bool = True,
        batch: int = 500,
    ) -> None:
        self.engine, self.topic, self.batch = engine, topic, batch
        self.bootstrap_servers, self.idempotent = bootstrap_servers, idempotent
        self.producer: AIOKafkaProducer | None = None  # made on first use

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
                rows = await outbox.unpublished(conn, self.batch)
                if not rows:
                    return sent
                futures = []
                for row in rows:
                    msg = to_kafka(as_envelope_event(row), BILLING_SOURCE)
                    futures.append(
                        await producer.send(
                            self.topic,
                            value=msg.value,
                            key=key_bytes(msg),
                            headers=headers_list(msg),
                        )
                    )
                await asyncio.gather(*futures)
                await outbox.mark_published(conn, [r["seq"] for r in rows])
                sent += len(rows)

    async def close(self) -> None:
        producer, self.producer = self.producer, None
        if producer is not None:
            await producer.stop()

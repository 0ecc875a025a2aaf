"""Publishing dunning's events from the outbox table to ``receivables.dunning.v1``.

At least once, in outbox order, key = account id, CloudEvents envelope (the same Kafka
binding as the ledger's events, source ``/receivables/dunning``); see
:class:`eventfeed.outbox.OutboxPublisher`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from dunning.adapters.postgres.queues import PostgresQueues
from eventfeed import LedgerEvent
from eventfeed.envelope import DUNNING_SOURCE
from eventfeed.outbox import OutboxPublisher as _Outbox


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


async def _take(conn: AsyncConnection, limit: int) -> list[dict[str, Any]]:
    return await PostgresQueues(conn).unpublished(limit)


async def _mark(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    await PostgresQueues(conn).mark_published([r["event_id"] for r in rows])


class OutboxPublisher(_Outbox):
    def __init__(
        self,
        engine: AsyncEngine,
        bootstrap_servers: str,
        topic: str,
        *,
        idempotent: bool = True,
        batch: int = 200,
    ) -> None:
        super().__init__(
            engine,
            bootstrap_servers,
            topic,
            source=DUNNING_SOURCE,
            take=_take,
            mark=_mark,
            envelope=as_envelope_event,
            idempotent=idempotent,
            batch=batch,
        )

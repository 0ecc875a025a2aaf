"""Publishing billing's events from the outbox (the policy event table) to Kafka.

At least once, in order per policy, key = the policy id, CloudEvents envelope (the same
binding as the ledger's events, source ``/receivables/billing``); see
:class:`eventfeed.outbox.OutboxPublisher`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from billing.adapters.postgres import outbox
from eventfeed import LedgerEvent
from eventfeed.envelope import BILLING_SOURCE
from eventfeed.outbox import OutboxPublisher as _Outbox


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


async def _mark(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    await outbox.mark_published(conn, [r["seq"] for r in rows])


class OutboxPublisher(_Outbox):
    def __init__(
        self, engine: AsyncEngine, bootstrap_servers: str, topic: str, *, idempotent: bool = True
    ) -> None:
        super().__init__(
            engine,
            bootstrap_servers,
            topic,
            source=BILLING_SOURCE,
            take=outbox.unpublished,
            mark=_mark,
            envelope=as_envelope_event,
            idempotent=idempotent,
            batch=500,
        )

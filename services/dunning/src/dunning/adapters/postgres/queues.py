"""SQL of the delivery queues: notices to send, fees to post, events to publish.

Rows are written in the transaction that decided them and taken afterwards with
``FOR UPDATE SKIP LOCKED`` so several workers never deliver one item twice at once.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Column, Table, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from dunning.adapters.postgres.schema import dunning_events, fee_postings, notices


class PostgresQueues:
    """The delivery queues, in the caller's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_notice(self, values: dict[str, Any]) -> None:
        stmt = insert(notices).values(**values, status="pending", attempts=0)
        await self._conn.execute(stmt.on_conflict_do_nothing(index_elements=[notices.c.notice_id]))

    async def add_fee(self, values: dict[str, Any]) -> None:
        stmt = insert(fee_postings).values(**values, status="pending", attempts=0)
        await self._conn.execute(
            stmt.on_conflict_do_nothing(index_elements=[fee_postings.c.adjustment_id])
        )

    async def _take(
        self, queue: Table, key: Column[Any], max_attempts: int
    ) -> dict[str, Any] | None:
        """The first pending row of ``queue`` by ``key`` that has been tried fewer than
        ``max_attempts`` times and that no other worker holds, locked until commit."""
        q = (
            select(queue)
            .where(queue.c.status == "pending", queue.c.attempts < max_attempts)
            .order_by(key)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        row = (await self._conn.execute(q)).first()
        return None if row is None else dict(row._mapping)

    async def take_notice(self, max_attempts: int) -> dict[str, Any] | None:
        return await self._take(notices, notices.c.notice_id, max_attempts)

    async def notice_done(self, notice_id: str, *, via: str | None, error: str | None) -> None:
        values: dict[str, Any] = {"attempts": notices.c.attempts + 1, "last_error": error}
        if error is None:
            values |= {"status": "sent", "delivered_via": via, "sent_at": func.now()}
        await self._conn.execute(
            update(notices).where(notices.c.notice_id == notice_id).values(values)
        )

    async def take_fee(self, max_attempts: int) -> dict[str, Any] | None:
        return await self._take(fee_postings, fee_postings.c.adjustment_id, max_attempts)

    async def fee_done(self, adjustment_id: str, *, status: str, error: str | None) -> None:
        values: dict[str, Any] = {
            "attempts": fee_postings.c.attempts + 1,
            "last_error": error,
            "status": status,
        }
        if status == "posted":
            values["posted_at"] = func.now()
        await self._conn.execute(
            update(fee_postings).where(fee_postings.c.adjustment_id == adjustment_id).values(values)
        )

    async def list_notices(self, account_id: str) -> list[dict[str, Any]]:
        q = select(notices).where(notices.c.account_id == account_id).order_by(notices.c.notice_id)
        return [dict(r._mapping) for r in await self._conn.execute(q)]

    async def list_fees(self, account_id: str) -> list[dict[str, Any]]:
        q = (
            select(fee_postings)
            .where(fee_postings.c.account_id == account_id)
            .order_by(fee_postings.c.effective_on)
        )
        return [dict(r._mapping) for r in await self._conn.execute(q)]

    async def unpublished(self, limit: int) -> list[dict[str, Any]]:
        q = (
            select(dunning_events)
            .where(dunning_events.c.published_at.is_(None))
            .order_by(dunning_events.c.seq)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [dict(r._mapping) for r in await self._conn.execute(q)]

    async def mark_published(self, event_ids: list[UUID]) -> None:
        await self._conn.execute(
            update(dunning_events)
            .where(dunning_events.c.event_id.in_(event_ids))
            .values(published_at=func.now())
        )

    async def backlog(self) -> dict[str, int]:
        out = {}
        for name, q in (
            ("notices_pending", select(func.count()).where(notices.c.status == "pending")),
            ("fees_pending", select(func.count()).where(fee_postings.c.status == "pending")),
            (
                "events_unpublished",
                select(func.count()).where(dunning_events.c.published_at.is_(None)),
            ),
        ):
            out[name] = int((await self._conn.execute(q)).scalar_one())
        return out

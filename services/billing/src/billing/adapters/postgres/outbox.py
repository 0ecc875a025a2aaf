"""SQL of the outbox: policy events not yet published, taken in order, marked when sent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from billing.adapters.postgres.schema import policy_events


async def unpublished(conn: AsyncConnection, limit: int) -> list[dict[str, Any]]:
    """The oldest unpublished events, locked (a second publisher skips them)."""
    q = (
        select(policy_events)
        .where(policy_events.c.published_at.is_(None))
        .order_by(policy_events.c.seq)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [dict(r._mapping) for r in await conn.execute(q)]


async def mark_published(conn: AsyncConnection, seqs: list[int]) -> None:
    await conn.execute(
        update(policy_events).where(policy_events.c.seq.in_(seqs)).values(published_at=func.now())
    )


async def backlog(conn: AsyncConnection) -> int:
    q = select(func.count()).where(policy_events.c.published_at.is_(None))
    return int((await conn.execute(q)).scalar_one())

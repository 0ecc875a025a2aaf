"""Reading the PostgreSQL event store (the write path is ``command_store``).

Global positions are ``(transaction id << 16) + ordinal``: every event of one transaction
shares the transaction's id, and a reader only reads positions below the oldest
transaction still running (``pg_snapshot_xmin``), so nothing can commit later behind it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Text, and_, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ledger.adapters.postgres.schema import events, streams
from ledger.application.records import StoredEvent, StreamHead
from ledger.application.sealing import ORDINAL_BITS

_SHIFT: Any = literal_column(str(1 << ORDINAL_BITS))
SAFE_HORIZON = (
    func.pg_snapshot_xmin(func.pg_current_snapshot()).cast(Text).cast(BigInteger) * _SHIFT
)

_COLUMNS = (
    events.c.position,
    events.c.stream_id,
    events.c.version,
    events.c.event_id,
    events.c.event_type,
    events.c.schema_version,
    events.c.data,
    events.c.effective_date,
    events.c.recorded_at,
    events.c.actor,
    events.c.correlation_id,
    events.c.causation_id,
    events.c.idempotency_key,
    events.c.prev_hash,
    events.c.hash,
    events.c.hash_scheme,
)


def stored(row: Any) -> StoredEvent:
    return StoredEvent(**row._mapping)


async def read_stream(
    conn: AsyncConnection,
    stream_id: str,
    *,
    after_version: int = 0,
    limit: int | None = None,
    known_at: datetime | None = None,
) -> list[StoredEvent]:
    """A stream's events in version order; with ``known_at``, only those recorded by then."""
    cond = and_(events.c.stream_id == stream_id, events.c.version > after_version)
    if known_at is not None:
        cond = and_(cond, events.c.recorded_at <= known_at)
    q = select(*_COLUMNS).where(cond).order_by(events.c.version)
    if limit is not None:
        q = q.limit(limit)
    return [stored(r) for r in await conn.execute(q)]


async def read_all(conn: AsyncConnection, *, after: int, limit: int) -> list[StoredEvent]:
    """Committed events after ``after`` in position order, never past a running writer."""
    q = (
        select(*_COLUMNS)
        .where(and_(events.c.position > after, events.c.position < SAFE_HORIZON))
        .order_by(events.c.position)
        .limit(limit)
    )
    return [stored(r) for r in await conn.execute(q)]


async def head_position(conn: AsyncConnection) -> int:
    """The highest position a reader may see now (0 if none)."""
    q = select(func.coalesce(func.max(events.c.position), 0)).where(
        events.c.position < SAFE_HORIZON
    )
    return int((await conn.execute(q)).scalar_one())


async def scan_streams(
    conn: AsyncConnection,
) -> AsyncIterator[tuple[StreamHead | None, list[StoredEvent], str]]:
    """Every stream with its recorded head and its events, for verification."""
    heads = {
        r.stream_id: StreamHead(r.version, r.head_position, r.head_hash)
        for r in await conn.execute(select(streams))
    }
    ids = set(heads)
    ids.update(r[0] for r in await conn.execute(select(events.c.stream_id).distinct()))
    for stream_id in sorted(ids):
        yield heads.get(stream_id), await read_stream(conn, stream_id), stream_id

"""The PostgreSQL event store: append with optimistic concurrency, read, verify.

Global positions are ``(transaction id << 16) + ordinal``: every event of one transaction
shares the transaction's id, and a reader only reads positions below the oldest
transaction still running (``pg_snapshot_xmin``), so nothing can commit later behind it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Text, and_, func, insert, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from ledger.adapters.postgres.schema import events, streams
from ledger.application.hashing import canonical, chain_hash
from ledger.application.records import Metadata, NewEvent, StoredEvent, StreamHead
from ledger.domain.errors import ConcurrencyConflict

ORDINAL_BITS = 16

_SHIFT = literal_column(str(1 << ORDINAL_BITS))
_TX_BASE = func.pg_current_xact_id().cast(Text).cast(BigInteger) * _SHIFT
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
)


def stored(row: Any) -> StoredEvent:
    return StoredEvent(**row._mapping)


async def lock_stream(conn: AsyncConnection, stream_id: str) -> StreamHead | None:
    """The stream's head, locked until the transaction ends (writers queue up here)."""
    row = (
        await conn.execute(
            select(streams.c.version, streams.c.head_position, streams.c.head_hash)
            .where(streams.c.stream_id == stream_id)
            .with_for_update()
        )
    ).first()
    return None if row is None else StreamHead(row.version, row.head_position, row.head_hash)


async def append(
    conn: AsyncConnection,
    *,
    stream_id: str,
    head: StreamHead | None,
    new: Sequence[NewEvent],
    meta: Metadata,
    recorded_at: datetime,
    key: bytes,
) -> list[StoredEvent]:
    """Append ``new`` after ``head``; raise ConcurrencyConflict if the stream moved."""
    version = head.version if head else 0
    prev = head.hash if head else None
    rows: list[dict[str, Any]] = []
    for n, item in enumerate(new):
        version += 1
        data = item.event.model_dump(mode="json")
        fields = {
            "stream_id": stream_id,
            "version": version,
            "event_id": item.event_id,
            "event_type": item.event.event_type(),
            "schema_version": item.event.schema_version,
            "data": data,
            "effective_date": item.event.effective_date(),
            "recorded_at": recorded_at,
            "actor": meta.actor,
            "correlation_id": meta.correlation_id,
            "causation_id": meta.causation_id,
            "idempotency_key": meta.idempotency_key,
        }
        digest = chain_hash(key, prev, canonical(**fields))
        rows.append({**fields, "position": _TX_BASE + literal_column(str(n)), "prev_hash": prev, "hash": digest})
        prev = digest
    try:
        result = await conn.execute(insert(events).values(rows).returning(*_COLUMNS))
    except IntegrityError as e:
        raise ConcurrencyConflict(f"stream {stream_id} moved on") from e
    appended = sorted((stored(r) for r in result), key=lambda s: s.version)
    last = appended[-1]
    if head is None:
        try:
            await conn.execute(
                insert(streams).values(
                    stream_id=stream_id,
                    version=last.version,
                    head_position=last.position,
                    head_hash=last.hash,
                )
            )
        except IntegrityError as e:
            raise ConcurrencyConflict(f"stream {stream_id} was created concurrently") from e
        return appended
    if appended[0].position <= head.position:
        # Our transaction id is older than the head's: the feed would list us first.
        raise ConcurrencyConflict(f"stream {stream_id}: transaction order, retry")
    moved = await conn.execute(
        update(streams)
        .where(and_(streams.c.stream_id == stream_id, streams.c.version == head.version))
        .values(version=last.version, head_position=last.position, head_hash=last.hash)
    )
    if moved.rowcount != 1:
        raise ConcurrencyConflict(f"stream {stream_id} moved on")
    return appended


async def read_stream(
    conn: AsyncConnection, stream_id: str, *, after_version: int = 0, limit: int | None = None
) -> list[StoredEvent]:
    q = (
        select(*_COLUMNS)
        .where(and_(events.c.stream_id == stream_id, events.c.version > after_version))
        .order_by(events.c.version)
    )
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


async def scan_streams(conn: AsyncConnection) -> AsyncIterator[tuple[StreamHead | None, list[StoredEvent], str]]:
    """Every stream with its recorded head and its events, for verification."""
    heads = {
        r.stream_id: StreamHead(r.version, r.head_position, r.head_hash)
        for r in await conn.execute(select(streams))
    }
    ids = set(heads)
    ids.update(r[0] for r in await conn.execute(select(events.c.stream_id).distinct()))
    for stream_id in sorted(ids):
        yield heads.get(stream_id), await read_stream(conn, stream_id), stream_id

"""Reading the PostgreSQL event store (the write path is ``command_store``).

Global positions are ``(transaction id << 16) + ordinal``: every event of one transaction
shares the transaction's id, and a reader only reads positions below the oldest
transaction still running (``pg_snapshot_xmin``), so nothing can commit later behind it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import BigInteger, Text, and_, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ledger.adapters.postgres.schema import events
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


SCAN_PAGE = 20_000  # events per read of a whole-store scan

# the JSON as text, decoded here (orjson): cheaper than the connection's codec
_COLUMN_LIST = ", ".join("data::text" if c.name == "data" else c.name for c in _COLUMNS)
_PAGE_SQL = f"""
SELECT {_COLUMN_LIST} FROM events
WHERE (stream_id, version) > ($1, $2) ORDER BY stream_id, version LIMIT $3
"""
_HEADS_SQL = """
SELECT stream_id, version, head_position, head_hash FROM streams WHERE stream_id = ANY($1)
"""
_HEADLESS_EVENTS_SQL = """
SELECT stream_id, version, head_position, head_hash FROM streams s
WHERE NOT EXISTS (SELECT FROM events e WHERE e.stream_id = s.stream_id)
"""

Scanned = tuple[StreamHead | None, list[StoredEvent], str]


_DATA = [c.name for c in _COLUMNS].index("data")


def _stored(row: Any) -> StoredEvent:
    """A row of ``_COLUMN_LIST`` read through the driver as a stored event."""
    values = list(row)
    values[_DATA] = orjson.loads(values[_DATA])
    return StoredEvent(*values)


async def scan_pages(conn: AsyncConnection, page: int = SCAN_PAGE) -> AsyncIterator[list[Scanned]]:
    """Every stream with its recorded head and its events, a page of ``page`` events at a
    time (a stream is never split across pages), in stream order; then the heads whose
    stream has no event. Read straight through the driver inside ``conn``'s transaction:
    a whole-store scan is millions of rows."""
    await conn.execute(select(1))  # the transaction is begun before the driver reads
    driver: Any = (await conn.get_raw_connection()).driver_connection
    after: tuple[str, int] = ("", 0)
    carried: list[StoredEvent] = []  # the last stream of a page may go on in the next
    while True:
        rows = await driver.fetch(_PAGE_SQL, *after, page)
        events = carried + [_stored(r) for r in rows]
        if rows:
            after = (rows[-1]["stream_id"], rows[-1]["version"])
        last = len(rows) < page
        streams: dict[str, list[StoredEvent]] = {}
        for s in events:
            streams.setdefault(s.stream_id, []).append(s)
        carried = [] if last else streams.pop(after[0])
        if streams:
            heads = {
                r["stream_id"]: StreamHead(r["version"], r["head_position"], r["head_hash"])
                for r in await driver.fetch(_HEADS_SQL, list(streams))
            }
            yield [(heads.get(k), v, k) for k, v in streams.items()]
        if last:
            break
    headless: list[Scanned] = [
        (StreamHead(r["version"], r["head_position"], r["head_hash"]), [], r["stream_id"])
        for r in await driver.fetch(_HEADLESS_EVENTS_SQL)
    ]
    if headless:
        yield headless


async def scan_streams(conn: AsyncConnection) -> AsyncIterator[Scanned]:
    """Every stream with its recorded head and its events, for verification."""
    async for scanned in scan_pages(conn):
        for one in scanned:
            yield one

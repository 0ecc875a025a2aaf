"""SQL of the Kafka relay: its checkpoint, the lag behind the head, the single-relay lock."""

from __future__ import annotations

from sqlalchemy import and_, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from ledger.adapters.postgres.event_store import SAFE_HORIZON
from ledger.adapters.postgres.schema import events

# pg_advisory_lock key of "the relay" (one active relay per database and relay name).
_LOCK_NAMESPACE = 0x4C454447  # "LEDG"


async def load(conn: AsyncConnection, relay: str) -> int:
    """The relay's checkpoint position (0 before the first run; creates the row)."""
    await conn.execute(
        text("INSERT INTO relay_checkpoints (relay) VALUES (:r) ON CONFLICT DO NOTHING"),
        {"r": relay},
    )
    row = await conn.execute(
        text("SELECT position FROM relay_checkpoints WHERE relay = :r"), {"r": relay}
    )
    return int(row.scalar_one())


async def save(conn: AsyncConnection, relay: str, position: int, published: int) -> None:
    await conn.execute(
        text(
            "UPDATE relay_checkpoints SET position = greatest(position, :p), "
            "published = published + :n, updated_at = now() WHERE relay = :r"
        ),
        {"r": relay, "p": position, "n": published},
    )


async def events_behind(conn: AsyncConnection, after: int, cap: int = 1_000_000) -> int:
    """Committed events after ``after`` (counted up to ``cap``)."""
    inner = (
        select(literal(1))
        .where(and_(events.c.position > after, events.c.position < SAFE_HORIZON))
        .limit(cap)
        .subquery()
    )
    return int((await conn.execute(select(func.count()).select_from(inner))).scalar_one())


async def feed_lag(conn: AsyncConnection, after: int, cap: int = 100_000) -> tuple[int, int]:
    """Events committed after ``after``: (those a reader may see now, those held back above
    the safe horizon by an older transaction still running), counted up to ``cap``."""
    inner = select(events.c.position).where(events.c.position > after).limit(cap).subquery()
    held = func.count().filter(inner.c.position >= SAFE_HORIZON)
    row = (await conn.execute(select(func.count(), held).select_from(inner))).one()
    return int(row[0]) - int(row[1]), int(row[1])


async def try_lock(conn: AsyncConnection, relay: str) -> bool:
    """Take the session-level advisory lock of ``relay`` on ``conn`` (False if held)."""
    row = await conn.execute(
        text("SELECT pg_try_advisory_lock(:ns, hashtext(:r))"), {"ns": _LOCK_NAMESPACE, "r": relay}
    )
    return bool(row.scalar_one())

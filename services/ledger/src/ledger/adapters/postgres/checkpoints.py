"""SQL of the stream checkpoints (see :mod:`ledger.application.checkpoints`).

A checkpoint reads only the events between the previous horizon and the current gap-safe
one and appends one row; an advisory lock held for its transaction keeps two processes
from taking the same one. Commands never wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Integer, and_, cast, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ledger.adapters.postgres.event_store import SAFE_HORIZON
from ledger.adapters.postgres.schema import events, stream_checkpoints
from ledger.application.checkpoints import Checkpoint, Heads, digest

log = logging.getLogger(__name__)

_LOCK_KEY = 0x6C656467_0002  # one checkpoint writer at a time per database


_HEADS = text(
    "SELECT DISTINCT ON (stream_id) stream_id, version, hash FROM events"
    " WHERE position >= :start AND position < :horizon ORDER BY stream_id, version DESC"
)


def _checkpoint(row: Any) -> Checkpoint:
    return Checkpoint(
        seq=row.seq,
        taken_at=row.taken_at,
        horizon=row.horizon,
        streams=row.streams,
        events=row.events,
        heads={k: (int(v), str(h)) for k, (v, h) in row.heads.items()},
        prev_digest=bytes(row.prev_digest) if row.prev_digest is not None else None,
        digest=bytes(row.digest),
    )


async def load_all(conn: AsyncConnection) -> list[Checkpoint]:
    t = stream_checkpoints
    return [_checkpoint(r) for r in await conn.execute(select(t).order_by(t.c.seq))]


async def take(conn: AsyncConnection, key: bytes) -> Checkpoint | None:
    """Append the next checkpoint (in the caller's transaction); None when another process
    holds the lock or no event committed since the last one."""
    if not (await conn.execute(select(func.pg_try_advisory_xact_lock(_LOCK_KEY)))).scalar_one():
        return None
    t = stream_checkpoints
    row = (await conn.execute(select(t).order_by(t.c.seq.desc()).limit(1))).first()
    prev = _checkpoint(row) if row is not None else None
    horizon, taken_at = (await conn.execute(select(SAFE_HORIZON, func.now()))).one()
    start = prev.horizon if prev else 0
    in_range = and_(events.c.position >= start, events.c.position < horizon)
    count, new_streams = (
        await conn.execute(
            select(func.count(), func.coalesce(func.sum(cast(events.c.version == 1, Integer)), 0))
            .select_from(events)
            .where(in_range)
        )
    ).one()
    if count == 0:
        return None
    rows = await conn.execute(_HEADS, {"start": start, "horizon": horizon})
    heads: Heads = {r.stream_id: (r.version, bytes(r.hash).hex()) for r in rows}
    fields: dict[str, Any] = {
        "seq": (prev.seq if prev else 0) + 1,
        "taken_at": taken_at,
        "horizon": int(horizon),
        "streams": (prev.streams if prev else 0) + int(new_streams),
        "events": (prev.events if prev else 0) + int(count),
        "heads": heads,
        "prev_digest": prev.digest if prev else None,
    }
    signed = Checkpoint(**fields, digest=digest(key, **fields))
    await conn.execute(
        t.insert().values(
            **{**fields, "heads": {k: [v, h] for k, (v, h) in heads.items()}},
            digest=signed.digest,
        )
    )
    return signed


async def run_periodically(engine: AsyncEngine, key: bytes, interval: float) -> None:
    """Take a checkpoint every ``interval`` seconds until cancelled (failures are logged
    and retried on the next tick: a missed checkpoint only widens the window)."""
    while True:
        try:
            async with engine.begin() as conn:
                taken = await take(conn, key)
            if taken is not None:
                log.debug("checkpoint %d: %d events", taken.seq, taken.events)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("taking a stream checkpoint failed; retrying in %ss", interval)
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def checkpoint_task(engine: AsyncEngine, key: bytes, interval: float) -> AsyncIterator[None]:
    """Take checkpoints in the background while the block runs (``ledger serve``)."""
    if interval <= 0:
        yield
        return
    task = asyncio.create_task(run_periodically(engine, key, interval), name="ledger-checkpoints")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

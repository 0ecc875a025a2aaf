"""Every SQL statement of the framework: claims, checkpoints, dead letters."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from eventfeed.event import LedgerEvent
from eventfeed.schema import Tables

Claim = Literal["claimed", "duplicate", "gap"]


async def claim(
    conn: AsyncConnection, t: Tables, consumer: str, event: LedgerEvent, *, strict: bool = True
) -> Claim:
    """Record ``event`` as processed, if it is the next version of its stream.

    ``duplicate``: the stream already got this version (or a later one). ``gap``: with
    ``strict``, a version beyond the next one (an earlier event has not arrived): nothing is
    recorded, so the earlier one, when it is delivered again, still applies first. The first
    event seen of a stream is taken whatever its version. The upsert locks the stream's row
    until the transaction ends, so two instances given the same event at once serialise
    here and the second sees it done.
    """
    condition = "p.version = excluded.version - 1" if strict else "p.version < excluded.version"
    row = await conn.execute(
        text(
            f"INSERT INTO {t.processed} AS p (consumer, stream_id, version, position, event_id) "
            "VALUES (:consumer, :stream_id, :version, :position, :event_id) "
            "ON CONFLICT (consumer, stream_id) DO UPDATE SET version = excluded.version, "
            "position = excluded.position, event_id = excluded.event_id, processed_at = now() "
            f"WHERE {condition} RETURNING 1"
        ),
        {
            "consumer": consumer,
            "stream_id": event.account_id,
            "version": event.version,
            "position": event.position,
            "event_id": event.event_id,
        },
    )
    if row.first() is not None:
        return "claimed"
    if not strict:
        return "duplicate"
    seen = await stream_version(conn, t, consumer, event.account_id)
    return "duplicate" if event.version <= seen else "gap"


class ClaimRace(Exception):
    """Another instance claimed a new stream of this batch at the same moment: retry."""


async def claim_batch(
    conn: AsyncConnection,
    t: Tables,
    consumer: str,
    events: Sequence[LedgerEvent],
    *,
    strict: bool = True,
) -> list[Claim]:
    """:func:`claim` for a whole batch in two or three statements instead of one or two
    per event: the streams' rows are read and locked at once, every outcome is decided
    from them (in order, so a batch carrying v5 and v6 claims both), and each stream's
    last claimed version is written once. A new stream inserted meanwhile by another
    instance raises :class:`ClaimRace` (the transaction is retried)."""
    ids = sorted({e.account_id for e in events})
    rows = await conn.execute(
        text(
            f"SELECT stream_id, version FROM {t.processed} WHERE consumer = :c "
            "AND stream_id = ANY(CAST(:ids AS text[])) ORDER BY stream_id FOR UPDATE"
        ),
        {"c": consumer, "ids": ids},
    )
    seen: dict[str, int] = {r.stream_id: r.version for r in rows}
    existing = set(seen)
    last: dict[str, LedgerEvent] = {}
    outcomes: list[Claim] = []
    for e in events:
        had = seen.get(e.account_id)
        if had is not None and e.version <= had:
            outcomes.append("duplicate")
        elif had is not None and strict and e.version != had + 1:
            outcomes.append("gap")
        else:
            seen[e.account_id] = e.version
            last[e.account_id] = e
            outcomes.append("claimed")
    for new, claimed in (
        (False, [e for s, e in last.items() if s in existing]),
        (True, [e for s, e in last.items() if s not in existing]),
    ):
        if claimed:
            await _write_claims(conn, t, consumer, claimed, new=new)
    return outcomes


async def _write_claims(
    conn: AsyncConnection, t: Tables, consumer: str, claimed: list[LedgerEvent], *, new: bool
) -> None:
    params = {
        "c": consumer,
        "s": [e.account_id for e in claimed],
        "v": [e.version for e in claimed],
        "p": [e.position for e in claimed],
        "e": [e.event_id for e in claimed],
    }
    rows = (
        "unnest(CAST(:s AS text[]), CAST(:v AS integer[]), CAST(:p AS bigint[]), "
        "CAST(:e AS uuid[])) AS u(stream_id, version, position, event_id)"
    )
    if not new:  # rows locked above
        await conn.execute(
            text(
                f"UPDATE {t.processed} AS p SET version = u.version, position = u.position, "
                f"event_id = u.event_id, processed_at = now() FROM {rows} "
                "WHERE p.consumer = :c AND p.stream_id = u.stream_id"
            ),
            params,
        )
        return
    inserted = await conn.execute(
        text(
            f"INSERT INTO {t.processed} (consumer, stream_id, version, position, event_id) "
            f"SELECT :c, u.stream_id, u.version, u.position, u.event_id FROM {rows} "
            "ON CONFLICT (consumer, stream_id) DO NOTHING RETURNING 1"
        ),
        params,
    )
    if len(inserted.all()) != len(claimed):
        raise ClaimRace("a stream of the batch was claimed by another instance meanwhile")


async def advance(
    conn: AsyncConnection, t: Tables, consumer: str, *, position: int | None, processed: int
) -> None:
    """Move the feed cursor (when given) and add to the processed count."""
    await conn.execute(
        text(
            f"INSERT INTO {t.checkpoints} AS c (consumer, position, processed) "
            # bigint: next to the literal 0 the parameter would be typed integer, and a
            # position past 2**31 (any server past ~32k transactions) could not be stored
            "VALUES (:consumer, coalesce(CAST(:position AS bigint), 0), :processed) "
            "ON CONFLICT (consumer) DO UPDATE SET "
            "position = greatest(c.position, coalesce(CAST(:position AS bigint), c.position)), "
            "processed = c.processed + :processed, updated_at = now()"
        ),
        {"consumer": consumer, "position": position, "processed": processed},
    )


async def checkpoint(conn: AsyncConnection, t: Tables, consumer: str) -> int:
    row = await conn.execute(
        text(f"SELECT position FROM {t.checkpoints} WHERE consumer = :c"), {"c": consumer}
    )
    value = row.scalar_one_or_none()
    return int(value) if value is not None else 0


async def stream_version(conn: AsyncConnection, t: Tables, consumer: str, stream_id: str) -> int:
    row = await conn.execute(
        text(f"SELECT version FROM {t.processed} WHERE consumer = :c AND stream_id = :s"),
        {"c": consumer, "s": stream_id},
    )
    value = row.scalar_one_or_none()
    return int(value) if value is not None else 0


async def add_dead_letter(
    conn: AsyncConnection, t: Tables, consumer: str, event: LedgerEvent, error: str
) -> None:
    await conn.execute(
        text(
            f"INSERT INTO {t.dead_letters} AS d (consumer, event_id, position, stream_id, "
            "version, event_type, event, error) VALUES (:consumer, :event_id, :position, "
            "CAST(:stream_id AS text), :version, :event_type, CAST(:event AS jsonb), :error) "
            "ON CONFLICT (consumer, event_id) DO UPDATE SET error = excluded.error, "
            "attempts = d.attempts + 1, failed_at = now(), resolved_at = NULL"
        ),
        {
            "consumer": consumer,
            "event_id": event.event_id,
            "position": event.position,
            "stream_id": event.account_id,
            "version": event.version,
            "event_type": event.type,
            "event": json.dumps(event.to_feed()),
            "error": error,
        },
    )


@dataclass(frozen=True)
class DeadLetter:
    """An event whose handler raised; kept for an operator to retry after a fix."""

    consumer: str
    event: LedgerEvent
    error: str
    attempts: int
    failed_at: datetime
    resolved_at: datetime | None


def _dead_letter(row: Any) -> DeadLetter:
    raw = row.event if isinstance(row.event, dict) else json.loads(row.event)
    return DeadLetter(
        consumer=row.consumer,
        event=LedgerEvent.from_feed(raw),
        error=row.error,
        attempts=row.attempts,
        failed_at=row.failed_at,
        resolved_at=row.resolved_at,
    )


async def dead_letters(
    conn: AsyncConnection, t: Tables, consumer: str, *, include_resolved: bool = False
) -> list[DeadLetter]:
    where = "" if include_resolved else " AND resolved_at IS NULL"
    rows = await conn.execute(
        text(
            f"SELECT consumer, event, error, attempts, failed_at, resolved_at "
            f"FROM {t.dead_letters} WHERE consumer = :c{where} ORDER BY position"
        ),
        {"c": consumer},
    )
    return [_dead_letter(r) for r in rows]


async def dead_letter(
    conn: AsyncConnection, t: Tables, consumer: str, event_id: UUID, *, lock: bool = True
) -> DeadLetter | None:
    """One dead letter, resolved or not; ``lock``: row-locked until the transaction ends."""
    row = (
        await conn.execute(
            text(
                f"SELECT consumer, event, error, attempts, failed_at, resolved_at "
                f"FROM {t.dead_letters} WHERE consumer = :c AND event_id = :e"
                + (" FOR UPDATE" if lock else "")
            ),
            {"c": consumer, "e": event_id},
        )
    ).first()
    return None if row is None else _dead_letter(row)


async def resolve_dead_letter(
    conn: AsyncConnection, t: Tables, consumer: str, event_id: UUID
) -> None:
    await conn.execute(
        text(
            f"UPDATE {t.dead_letters} SET resolved_at = now() WHERE consumer = :c AND event_id = :e"
        ),
        {"c": consumer, "e": event_id},
    )


async def count_dead_letters(conn: AsyncConnection, t: Tables, consumer: str) -> int:
    row = await conn.execute(
        text(f"SELECT count(*) FROM {t.dead_letters} WHERE consumer = :c AND resolved_at IS NULL"),
        {"c": consumer},
    )
    return int(row.scalar_one())


async def reset(conn: AsyncConnection, t: Tables, consumer: str) -> None:
    """Forget everything the consumer processed (for a replay from position 0)."""
    for table in (t.processed, t.checkpoints, t.dead_letters):
        await conn.execute(text(f"DELETE FROM {table} WHERE consumer = :c"), {"c": consumer})

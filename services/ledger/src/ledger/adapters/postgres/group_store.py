"""The write path of group commit: a few single commands in one transaction.

Streams, earlier runs and state are read as a batch reads them (``batch_store``); the
writes go in one statement, as a single command's do (``command_store.WRITE``), which
for a handful of commands costs less than a batch's COPYs.

A group never waits for a stream another transaction holds (a batch's, an approval's, a
command's running alone): it locks the streams that are free and names the others
``busy``, so one held account does not hold up the commands of every other account.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ledger.adapters.postgres.batch_store import AsyncpgBatchUnitOfWork
from ledger.adapters.postgres.command_store import AsyncpgUnitOfWorkFactory, write_all
from ledger.application.ports import BatchWrite, Locked
from ledger.application.records import StreamHead

# Every named stream that exists, with its head when this transaction could lock it; a
# stream locked by another transaction comes back without (SKIP LOCKED never waits). The
# transaction's id comes on every row, and on one row of NULLs when no stream exists yet:
# one round trip instead of two. It may be assigned before some of the locks are taken;
# a head written meanwhile by a younger transaction is refused as a conflict by the group.
LOCK_FREE = """
SELECT pg_current_xact_id()::text::bigint AS tx_id,
       s.stream_id, l.version, l.head_position, l.head_hash
  FROM (SELECT 1) AS one
  LEFT JOIN streams AS s ON s.stream_id = ANY($1::text[])
  LEFT JOIN LATERAL (
      SELECT version, head_position, head_hash FROM streams AS x
       WHERE x.stream_id = s.stream_id FOR UPDATE SKIP LOCKED) AS l ON true
"""


class AsyncpgGroupUnitOfWork(AsyncpgBatchUnitOfWork):
    async def lock(self, stream_ids: list[str]) -> Locked:
        rows = await self._conn.fetch(LOCK_FREE, stream_ids)
        heads = {
            r["stream_id"]: StreamHead(r["version"], r["head_position"], bytes(r["head_hash"]))
            for r in rows
            if r["version"] is not None
        }
        busy = frozenset(
            r["stream_id"] for r in rows if r["stream_id"] is not None and r["version"] is None
        )
        return Locked(heads=heads, tx_id=rows[0]["tx_id"], busy=busy)

    async def write_batch(self, batch: BatchWrite) -> None:
        await write_all(self._conn, batch)


class AsyncpgGroupUnitOfWorkFactory:
    """One transaction per group, on the command path's pool."""

    def __init__(self, single: AsyncpgUnitOfWorkFactory) -> None:
        self._single = single

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[AsyncpgGroupUnitOfWork]:
        pool = await self._single.pool()
        async with pool.acquire() as conn, conn.transaction():
            yield AsyncpgGroupUnitOfWork(conn)

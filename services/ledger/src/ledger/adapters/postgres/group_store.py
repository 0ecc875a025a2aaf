"""The write path of group commit: a few single commands in one transaction.

Streams, earlier runs and state are read as a batch reads them (``batch_store``); the
writes go in one statement, as a single command's do (``command_store.WRITE``), which
for a handful of commands costs less than a batch's COPYs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ledger.adapters.postgres.batch_store import AsyncpgBatchUnitOfWork
from ledger.adapters.postgres.command_store import AsyncpgUnitOfWorkFactory, write_all
from ledger.application.ports import BatchWrite


class AsyncpgGroupUnitOfWork(AsyncpgBatchUnitOfWork):
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

"""The PostgreSQL unit of work: one transaction per command."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ledger.adapters.postgres import event_store, read_models
from ledger.application.projections import Row
from ledger.application.records import Metadata, NewEvent, StoredEvent, StreamHead
from ledger.domain.state import Account


class PostgresUnitOfWork:
    def __init__(self, conn: AsyncConnection, chain_key: bytes) -> None:
        self._conn = conn
        self._key = chain_key

    async def lock_stream(self, stream_id: str) -> StreamHead | None:
        return await event_store.lock_stream(self._conn, stream_id)

    async def find_command(self, account_id: str, command_type: str, command_id: str) -> Row | None:
        return await read_models.find_command(self._conn, account_id, command_type, command_id)

    async def load_state(
        self, account_id: str, item_ids: set[str], payment_ids: set[str]
    ) -> Account | None:
        return await read_models.load_state(self._conn, account_id, item_ids, payment_ids)

    async def append(
        self,
        stream_id: str,
        head: StreamHead | None,
        new: Sequence[NewEvent],
        meta: Metadata,
        recorded_at: datetime,
    ) -> list[StoredEvent]:
        return await event_store.append(
            self._conn,
            stream_id=stream_id,
            head=head,
            new=new,
            meta=meta,
            recorded_at=recorded_at,
            key=self._key,
        )

    async def write_projections(
        self, account: Row, items: list[Row], pays: list[Row], journal_lines: list[Row]
    ) -> None:
        await read_models.write(
            self._conn, account=account, items=items, pays=pays, journal_lines=journal_lines
        )

    async def save_command(self, row: Row) -> None:
        await read_models.save_command(self._conn, row)


class PostgresUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine, chain_key: bytes) -> None:
        self._engine = engine
        self._key = chain_key

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[PostgresUnitOfWork]:
        async with self._engine.begin() as conn:
            yield PostgresUnitOfWork(conn, self._key)

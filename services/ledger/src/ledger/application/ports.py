"""What the application needs from storage; the PostgreSQL adapter provides it."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from ledger.application.projections import Row
from ledger.application.records import Metadata, NewEvent, StoredEvent, StreamHead
from ledger.domain.state import Account


class UnitOfWork(Protocol):
    """One transaction: events, projections and the idempotency record commit together."""

    async def lock_stream(self, stream_id: str) -> StreamHead | None: ...

    async def find_command(
        self, account_id: str, command_type: str, command_id: str
    ) -> Row | None: ...

    async def load_state(
        self, account_id: str, item_ids: set[str], payment_ids: set[str]
    ) -> Account | None: ...

    async def append(
        self,
        stream_id: str,
        head: StreamHead | None,
        new: Sequence[NewEvent],
        meta: Metadata,
        recorded_at: datetime,
    ) -> list[StoredEvent]: ...

    async def write_projections(
        self, account: Row, items: list[Row], pays: list[Row], journal_lines: list[Row]
    ) -> None: ...

    async def save_command(self, row: Row) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[UnitOfWork]: ...

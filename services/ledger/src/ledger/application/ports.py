"""What the application needs from storage; the PostgreSQL adapter provides it."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from ledger.application.projections import Row
from ledger.application.records import StoredEvent, StreamHead
from ledger.domain.state import Account


@dataclass(frozen=True)
class Started:
    """A command's transaction after the stream is locked."""

    head: StreamHead | None  # None: the stream does not exist yet
    tx_id: int  # the transaction's id, the high bits of the positions it writes
    done: Row | None  # an earlier run of the same command: request_hash, status_code, response


@dataclass(frozen=True)
class Needs:
    """The part of an account's state a command reads."""

    item_ids: frozenset[str] = frozenset()  # items it names (loaded even when closed)
    payment_ids: frozenset[str] = frozenset()  # payments it names
    open_items: bool = False  # every item with something open (oldest-due-first allocation)
    credit: bool = False  # every payment with unapplied money (refunds, applying credit)


class StreamBusy(Exception):
    """Another transaction holds the stream and the caller asked not to wait for it."""


class UnitOfWork(Protocol):
    """One transaction: events, projections and the idempotency record commit together."""

    async def begin(
        self,
        account_id: str,
        command_type: str,
        command_id: str,
        needs: Needs | None = None,
        *,
        wait: bool = True,
    ) -> Started:
        """Lock the stream and look up an earlier run of the command. Given ``needs``, the
        adapter may read that state in the same round trip for ``load_state`` to use.
        Without ``wait``, StreamBusy if another transaction holds the stream."""

    async def load_state(self, account_id: str, needs: Needs) -> Account | None:
        """The account with what ``needs`` asks for, plus the items and payments those
        are tied to by allocations."""

    async def write(
        self,
        *,
        head: StreamHead | None,
        stored: list[StoredEvent],
        account: Row | None,
        items: list[Row],
        pays: list[Row],
        journal_lines: list[Row],
        command: Row | None,
    ) -> None:
        """Append ``stored`` after ``head`` with the rows they project, or raise
        ConcurrencyConflict if the stream moved on."""


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[UnitOfWork]: ...


@dataclass(frozen=True)
class Done:
    """An earlier run of a command, as its idempotency record keeps it."""

    request_hash: bytes
    status_code: int
    response: Row


CommandKey = tuple[str, str, str]  # account id, command type, command id


@dataclass(frozen=True)
class Locked:
    """A batch's transaction after its streams are locked."""

    heads: dict[str, StreamHead]  # the locked streams that exist
    tx_id: int
    busy: frozenset[str] = frozenset()  # streams that exist but another transaction holds


@dataclass(frozen=True)
class BatchWrite:
    """Everything a batch transaction appends and projects, written together."""

    events: list[StoredEvent]
    accounts: list[Row]
    items: list[Row]
    pays: list[Row]
    journal_lines: list[Row]
    commands: list[Row]  # idempotency records; "response" is the body as answered


class BatchUnitOfWork(Protocol):
    """One transaction over many streams (locked in one order, so batches never deadlock)."""

    async def lock(self, stream_ids: list[str]) -> Locked: ...

    async def find_commands(self, keys: list[CommandKey]) -> dict[CommandKey, Done]: ...

    async def load_states(self, needs: dict[str, Needs]) -> dict[str, Account]:
        """The accounts that exist among ``needs``' keys, each with what its needs ask for
        (as ``UnitOfWork.load_state``)."""

    async def write_batch(self, batch: BatchWrite) -> None:
        """Write it all, or raise ConcurrencyConflict if a stream moved on."""


class BatchUnitOfWorkFactory(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[BatchUnitOfWork]: ...

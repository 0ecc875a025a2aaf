"""Batch ingest: many commands in few transactions, all-or-nothing per account.

Each command is decided exactly as it would be alone (same ``decide``, same idempotency
record, same answer), but a transaction locks many streams at once (in sorted order),
reads their state and earlier runs in a few statements and writes every event,
projection row and idempotency record in bulk. An account's commands apply in the
order given; if one fails, none of that account's commands is written and the others
are answered ``NotApplied``; other accounts are not affected.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from ledger.application.approvals import ApprovalPolicy
from ledger.application.clock import Clock
from ledger.application.handler import Presenter, needs_of_all, request_hash
from ledger.application.ports import (
    BatchUnitOfWork,
    BatchUnitOfWorkFactory,
    BatchWrite,
    CommandKey,
    Done,
)
from ledger.application.projections import Row, account_row, item_row, journal_rows, payment_row
from ledger.application.projections import touched as touched_by
from ledger.application.records import Metadata, NewEvent, StoredEvent, StreamHead
from ledger.application.sealing import (
    MAX_EVENTS_PER_TRANSACTION,
    ORDINAL_BITS,
    event_ids,
    seal,
)
from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain.decide import decide
from ledger.domain.state import Account, evolve
from servicekit.transient import retrying

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20
COMMANDS_PER_TRANSACTION = 5_000  # whole accounts are kept together past this


class NotApplied(err.LedgerError):
    """Another command of the same account in the batch failed, so this one was not written."""

    rule = "not-applied"


@dataclass(frozen=True)
class BatchCommand:
    account_id: str
    command: cmd.Command
    command_id: str
    id_field: str  # what names the id in the request, for an idempotency conflict
    payload: dict[str, Any]
    meta: Metadata
    present: Presenter
    index: int  # position in the request


@dataclass(frozen=True)
class BatchResult:
    index: int
    status_code: int
    body: dict[str, Any] | None = None  # the command's answer (None on failure)
    replayed: bool = False
    error: err.LedgerError | None = None


@dataclass
class _Account:
    """One account's share of a transaction, decided in memory."""

    results: list[BatchResult] = field(default_factory=list)
    events: list[StoredEvent] = field(default_factory=list)
    journal: list[Row] = field(default_factory=list)
    commands: list[Row] = field(default_factory=list)
    state: Account | None = None
    head: StreamHead | None = None
    items: set[str] = field(default_factory=set)
    pays: set[str] = field(default_factory=set)


def _key(c: BatchCommand) -> CommandKey:
    return (c.account_id, type(c.command).__name__, c.command_id)


class DecidedShare(Protocol):
    """One account's part of a transaction as a batch or a group decided it."""

    @property
    def state(self) -> Account | None: ...
    @property
    def events(self) -> Sequence[StoredEvent]: ...
    @property
    def items(self) -> set[str]: ...  # the open items its events touched
    @property
    def pays(self) -> set[str]: ...  # the payments its events touched
    @property
    def journal(self) -> Sequence[Row]: ...
    @property
    def commands(self) -> Sequence[Row]: ...  # its idempotency records


def append_account(write: BatchWrite, account_id: str, share: DecidedShare) -> None:
    """Add one account's decided share (its events, projection rows, journal lines and
    idempotency records) to what a transaction writes."""
    state = share.state
    assert state is not None
    write.events.extend(share.events)
    write.accounts.append(account_row(state))
    write.items.extend(item_row(account_id, state.items[i]) for i in sorted(share.items))
    write.pays.extend(payment_row(account_id, state.payments[p]) for p in sorted(share.pays))
    write.journal_lines.extend(share.journal)
    write.commands.extend(share.commands)


def not_applied(account_id: str, failed_index: int) -> NotApplied:
    return NotApplied(f"not written: command {failed_index} on account {account_id} failed")


def _failed(commands: list[BatchCommand], at: int, error: err.LedgerError) -> list[BatchResult]:
    """The account's answers when its command ``at`` failed with ``error``."""
    return [
        BatchResult(c.index, 0, error=error)
        if n == at
        else BatchResult(c.index, 0, error=not_applied(c.account_id, commands[at].index))
        for n, c in enumerate(commands)
    ]


class BatchHandler:
    def __init__(
        self,
        uow: BatchUnitOfWorkFactory,
        clock: Clock,
        chain_key: bytes,
        policy: ApprovalPolicy | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._key = chain_key
        self._policy = policy or ApprovalPolicy()

    async def handle(self, commands: list[BatchCommand]) -> list[BatchResult]:
        """Run every command once; answers in the order of ``commands``."""
        by_account: dict[str, list[BatchCommand]] = {}
        for c in commands:
            by_account.setdefault(c.account_id, []).append(c)
        pending = sorted(by_account)
        results: list[BatchResult] = []
        while pending:
            chunk: list[str] = []
            size = 0
            while pending and (
                not chunk or size + len(by_account[pending[0]]) <= COMMANDS_PER_TRANSACTION
            ):
                size += len(by_account[pending[0]])
                chunk.append(pending.pop(0))
            deferred = await self._retrying(chunk, by_account, results)
            pending = deferred + pending
        return sorted(results, key=lambda r: r.index)

    async def _retrying(
        self, chunk: list[str], by_account: dict[str, list[BatchCommand]], out: list[BatchResult]
    ) -> list[str]:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                done, deferred = await retrying(
                    lambda: self._transaction(chunk, by_account), what="batch"
                )
            except err.ConcurrencyConflict as e:
                log.debug("batch conflict (%s), attempt %d", e, attempt)
                continue
            out.extend(done)
            return deferred
        busy = err.ConcurrencyConflict("the accounts are too busy; retry the commands")
        for a in chunk:
            out.extend(_failed(by_account[a], 0, busy))
        return []

    async def _transaction(
        self, chunk: list[str], by_account: dict[str, list[BatchCommand]]
    ) -> tuple[list[BatchResult], list[str]]:
        async with self._uow() as uow:
            return await self._run(uow, chunk, by_account)

    async def _run(
        self, uow: BatchUnitOfWork, chunk: list[str], by_account: dict[str, list[BatchCommand]]
    ) -> tuple[list[BatchResult], list[str]]:
        locked = await uow.lock(chunk)
        if any(h.position >> ORDINAL_BITS >= locked.tx_id for h in locked.heads.values()):
            # a newer transaction wrote to one of them first: positions would go backwards
            raise err.ConcurrencyConflict("transaction order, retry")
        found = await uow.find_commands([_key(c) for a in chunk for c in by_account[a]])
        states = await uow.load_states(
            {a: needs_of_all(c.command for c in by_account[a]) for a in chunk}
        )
        recorded_at = self._clock.now()
        ids = event_ids()
        results: list[BatchResult] = []
        write = BatchWrite([], [], [], [], [], [])
        for n, account_id in enumerate(chunk):
            commands = by_account[account_id]
            share = _Account(state=states.get(account_id), head=locked.heads.get(account_id))
            first = len(write.events)
            try:
                self._decide(share, commands, found, locked.tx_id, first, recorded_at, ids)
            except _Failure as f:
                results.extend(_failed(commands, f.at, f.error))
                continue
            except _Full:
                if first == 0:
                    too_many = err.RuleViolation("the account's commands make too many events")
                    results.extend(_failed(commands, 0, too_many))
                    continue
                await self._flush(uow, write)
                return results, chunk[n:]
            results.extend(share.results)
            if share.events:
                assert share.head is not None
                append_account(write, account_id, share)
        await self._flush(uow, write)
        return results, []

    async def _flush(self, uow: BatchUnitOfWork, write: BatchWrite) -> None:
        if write.events:
            await uow.write_batch(write)

    def _decide(
        self,
        share: _Account,
        commands: list[BatchCommand],
        found: dict[CommandKey, Done],
        tx_id: int,
        first: int,
        recorded_at: Any,
        ids: Iterator[UUID],
    ) -> None:
        seen: dict[CommandKey, tuple[bytes, BatchResult]] = {}
        for at, c in enumerate(commands):
            key = _key(c)
            digest = request_hash(c.payload)
            earlier = found.get(key)
            prior = (
                (earlier.request_hash, BatchResult(c.index, earlier.status_code, earlier.response))
                if earlier
                else seen.get(key)
            )
            if prior is not None:
                if prior[0] != digest:
                    conflict = err.IdempotencyConflict(
                        f"{key[1]} {c.command_id} was already made with another payload",
                        field=c.id_field,
                    )
                    raise _Failure(at, conflict)
                share.results.append(
                    BatchResult(c.index, prior[1].status_code, prior[1].body, True)
                )
                continue
            try:
                new_events = decide(
                    self._policy.bind(c.command, share.state, c.meta.actor), share.state
                )
            except err.LedgerError as e:
                raise _Failure(at, e) from None
            ordinal = first + len(share.events)
            if ordinal + len(new_events) >= MAX_EVENTS_PER_TRANSACTION:
                raise _Full
            stored = seal(
                stream_id=c.account_id,
                head=share.head,
                tx_id=tx_id,
                new=[NewEvent(e, next(ids)) for e in new_events],
                meta=c.meta,
                recorded_at=recorded_at,
                key=self._key,
                first=ordinal,
            )
            for event, s in zip(new_events, stored, strict=True):
                share.state = evolve(share.state, event)
                items, pays = touched_by(event)
                share.items |= items
                share.pays |= pays
                share.journal += journal_rows(c.account_id, s.position, event, recorded_at)
            assert share.state is not None
            body = c.present(share.state, new_events, stored)
            last = stored[-1]
            share.head = StreamHead(last.version, last.position, last.hash)
            share.events += stored
            result = BatchResult(c.index, 201, body)
            share.results.append(result)
            seen[key] = (digest, result)
            share.commands.append(
                {
                    "account_id": c.account_id,
                    "command_type": key[1],
                    "command_id": c.command_id,
                    "request_hash": digest,
                    "status_code": 201,
                    "response": body,
                    "recorded_at": recorded_at,
                }
            )


class _Failure(Exception):
    def __init__(self, at: int, error: err.LedgerError) -> None:
        self.at = at
        self.error = error


class _Full(Exception):
    """The transaction's position ordinals are used up: the account goes to the next one."""

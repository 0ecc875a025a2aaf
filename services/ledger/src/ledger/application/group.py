"""Group commit: single commands that arrive together share one transaction and one COMMIT.

One group runs at a time per process (``in_flight``); a command that arrives while it is
in flight waits in a queue, and the next group takes everything queued. Alone on a quiet
service a command is a group of one and takes the single path (:class:`CommandHandler`)
unchanged.

A command whose account is in a group running (or running alone after one) stays in the
queue for the next group, so the groups in flight never want the same stream. Nothing one
account does holds up the others: a group locks only the streams no other transaction
holds and the commands of a held stream leave the group to run alone (they wait for their
stream there, outside the groups in flight); a group of one takes the single path without
waiting for its stream, and goes alone the same way when it is held. A group still running
after ``hold`` seconds (a slow database) stops counting as in flight, so the queue moves
on.

A group locks its streams in one order, reads their state and the earlier runs of its
commands in a few statements, decides each command in arrival order on its account's
state as the group's earlier commands left it, and writes every event, projection row,
journal line and idempotency record in one statement. Each command is decided as it
would be alone (same ``decide``, limits, idempotency record and answer): one that is
refused leaves its account's state as it found it and the others go on. Nothing is
answered before the COMMIT; if the group's transaction fails at all (another writer
moved a stream, a deadlock, a lost connection), each of its commands is run again
alone, where the idempotency records make a command that did commit replay instead of
running twice (answered as the original, not a replay, when the record found is the one
its own group wrote).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import uuid4

import orjson

from ledger.application.approvals import ApprovalPolicy
from ledger.application.batch import append_account
from ledger.application.clock import Clock
from ledger.application.handler import (
    CommandHandler,
    Outcome,
    Presenter,
    amount_field,
    needs_of_all,
    request_hash,
    touched_by_events,
)
from ledger.application.ports import (
    BatchUnitOfWorkFactory,
    BatchWrite,
    CommandKey,
    Done,
    StreamBusy,
)
from ledger.application.projections import Row, journal_rows
from ledger.application.records import Metadata, NewEvent, StreamHead
from ledger.application.sealing import ORDINAL_BITS, seal
from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain.decide import decide
from ledger.domain.events import Event
from ledger.domain.limits import check_totals
from ledger.domain.state import Account, evolve

log = logging.getLogger(__name__)

GROUP_ATTEMPTS = 3  # transaction-order conflicts before the commands run alone
RETRY_AFTER_SECONDS = 1  # what a refused command is told to wait
DRAIN_SECONDS = 30.0  # the longest a shutdown waits for the commands it took


class Unavailable(err.LedgerError):
    """The command was not taken, and nothing of it written: the queue of commands
    waiting for a group is full (rule ``queue-full``) or the service is shutting down
    (``shutting-down``). Retry after ``retry_after`` seconds."""

    rule = "service-unavailable"
    retry_after = RETRY_AFTER_SECONDS


@dataclass(frozen=True)
class Submitted:
    """One command waiting for its group."""

    account_id: str
    command: cmd.Command
    command_id: str
    payload: dict[str, Any]
    meta: Metadata
    present: Presenter
    answer: asyncio.Future[Outcome]

    @property
    def key(self) -> CommandKey:
        return (self.account_id, type(self.command).__name__, self.command_id)


@dataclass
class _Share:
    """One account's part of a group, decided in memory."""

    state: Account | None  # as the share's commands left it: evolve changes it in place
    head: StreamHead | None
    events: list[Any] = field(default_factory=list)
    decided: list[Event] = field(default_factory=list)  # the events of ``events``
    spoilt: bool = False  # a refused command's events were folded into ``state``
    journal: list[Row] = field(default_factory=list)
    commands: list[Row] = field(default_factory=list)
    items: set[str] = field(default_factory=set)
    pays: set[str] = field(default_factory=set)
    seen: dict[CommandKey, tuple[bytes, Outcome]] = field(default_factory=dict)


class GroupWatch(Protocol):
    """Where the sizes of the groups go (the service's metrics)."""

    def group(self, size: int) -> None:
        """A group of ``size`` commands left the queue."""

    def alone(self, reason: str) -> None:
        """A command of a group ran alone: its stream was ``busy`` or the group ``failed``."""

    def refused(self, reason: str) -> None:
        """A command was not taken: the queue was full or the service shutting down."""


Result = Outcome | err.LedgerError
# None in a group's results: the command was not decided (its stream was busy) and runs alone


class GroupCommit:
    """Runs single commands, several per transaction when they arrive together."""

    def __init__(
        self,
        single: CommandHandler,
        uow: BatchUnitOfWorkFactory,
        clock: Clock,
        chain_key: bytes,
        policy: ApprovalPolicy | None = None,
        *,
        in_flight: int = 1,
        max_group: int = 64,
        max_queue: int = 1024,
        hold: float = 0.25,
    ) -> None:
        self._single = single
        self._uow = uow
        self._clock = clock
        self._key = chain_key
        self._policy = policy or ApprovalPolicy()
        self._in_flight = in_flight
        self._max_group = max_group
        self._max_queue = max_queue
        self._hold = hold
        self._queue: list[Submitted] = []
        self._running: set[asyncio.Task[None]] = set()  # the groups in flight
        self._tasks: set[asyncio.Task[None]] = set()  # those and everything running alone
        self._direct: set[asyncio.Task[Any]] = set()  # requests on the single path
        self._closing = False
        # the accounts of the groups running and of their commands running alone
        self._accounts: Counter[str] = Counter()
        self.watch: GroupWatch | None = None

    async def handle(
        self,
        account_id: str,
        command: cmd.Command,
        *,
        command_id: str,
        payload: dict[str, Any],
        meta: Metadata,
        present: Presenter,
    ) -> Outcome:
        """As :meth:`CommandHandler.handle`; answered once the command's group committed.
        :class:`Unavailable` (nothing written) when the queue is full or the service is
        shutting down."""
        if self._closing:
            self._refuse("shutting-down", "the service is shutting down")
        if isinstance(command, cmd.ApproveRequest):
            # what it reads depends on the request it approves: the single path loads that
            request = asyncio.current_task()
            assert request is not None
            self._direct.add(request)
            try:
                return await self._single.handle(
                    account_id,
                    command,
                    command_id=command_id,
                    payload=payload,
                    meta=meta,
                    present=present,
                )
            finally:
                self._direct.discard(request)
        if len(self._queue) >= self._max_queue:
            self._refuse("queue-full", f"{len(self._queue)} commands are waiting already")
        answer: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._queue.append(
            Submitted(account_id, command, command_id, payload, meta, present, answer)
        )
        self._start()
        return await answer

    @property
    def queued(self) -> int:
        """Commands waiting for a group now."""
        return len(self._queue)

    @property
    def closing(self) -> bool:
        """A drain began: no command is taken any more."""
        return self._closing

    def _refuse(self, reason: str, why: str) -> None:
        if self.watch is not None:
            self.watch.refused(reason)
        raise Unavailable(
            f"{why}; nothing was written; retry in {RETRY_AFTER_SECONDS} s", rule=reason
        )

    async def drain(self, give_up_after: float = DRAIN_SECONDS) -> None:
        """Take no more commands (each is refused ``shutting-down``) and wait until every
        one taken is answered: the groups in flight, the commands queued for the next
        groups and those running alone. Past ``give_up_after`` seconds, stop waiting (a command
        waiting for a stream another transaction holds) and say so."""
        self._closing = True
        try:
            async with asyncio.timeout(give_up_after):
                while self._queue or self._tasks or self._direct:
                    if not (self._tasks or self._direct):
                        self._start()  # queued with nothing running cannot be: never spin
                        if not self._tasks:
                            break
                    await asyncio.wait(self._tasks | self._direct)
        except TimeoutError:
            log.warning(
                "shutting down after %.0f s with %d commands queued and %d groups or "
                "commands running",
                give_up_after,
                len(self._queue),
                len(self._tasks) + len(self._direct),
            )

    def _start(self) -> None:
        while self._queue and len(self._running) < self._in_flight:
            group = self._take()
            if not group:
                return  # every queued command's account is in a group in flight
            if self.watch is not None:
                self.watch.group(len(group))
            task = self._spawn(self._run(group))
            self._running.add(task)
            asyncio.get_running_loop().call_later(self._hold, self._release, task)

    def _take(self) -> list[Submitted]:
        """The next group: queued commands in arrival order, up to ``max_group``, of no
        account a group in flight has (those wait for it here rather than at its lock)."""
        group: list[Submitted] = []
        left: list[Submitted] = []
        for s in self._queue:
            if len(group) < self._max_group and not self._accounts[s.account_id]:
                group.append(s)
            else:
                left.append(s)
        self._queue = left
        self._accounts.update({s.account_id for s in group})
        return group

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._release)
        return task

    def _release(self, task: asyncio.Task[None]) -> None:
        """Done, or running for longer than ``hold``: no longer in flight."""
        self._running.discard(task)
        if task.done():
            self._tasks.discard(task)
        self._start()

    async def _run(self, group: list[Submitted]) -> None:
        try:
            await self._settle_group(group)
        finally:
            self._let_go({s.account_id for s in group})

    def _let_go(self, accounts: set[str]) -> None:
        self._accounts.subtract(accounts)
        for a in accounts:
            if self._accounts[a] <= 0:
                del self._accounts[a]

    async def _settle_group(self, group: list[Submitted]) -> None:
        try:
            if len(group) == 1:
                # the single path, but never waiting for a stream while in flight
                if not await self._alone(group[0], wait=False):
                    self._detach(group[0], "busy")
                return
            results, failed = await self._grouped(group)
            for s, r in zip(group, results, strict=True):
                if failed:
                    # what it would have answered, had the COMMIT been known to succeed
                    self._detach(s, "failed", made=r if isinstance(r, Outcome) else None)
                elif r is None:
                    self._detach(s, "busy")  # its stream was held by another transaction
                else:
                    _settle(s, r)
        except BaseException as e:  # never leave a request waiting
            for s in group:
                if not s.answer.done():
                    s.answer.set_exception(e)
            if not isinstance(e, Exception):
                raise

    def _detach(self, s: Submitted, reason: str, *, made: Outcome | None = None) -> None:
        """Run ``s`` alone, out of the group's way; its account's next commands wait for it.
        ``made``: the answer the group had for it, had its COMMIT gone through."""
        if self.watch is not None:
            self.watch.alone(reason)
        self._accounts[s.account_id] += 1
        self._spawn(self._detached(s, made))

    async def _detached(self, s: Submitted, made: Outcome | None) -> None:
        try:
            await self._alone(s, made=made)
        finally:
            self._let_go({s.account_id})

    async def _alone(self, s: Submitted, *, wait: bool = True, made: Outcome | None = None) -> bool:
        """Run ``s`` on the single path and answer it; False (unanswered) if its stream
        was busy and ``wait`` is off.

        ``made`` is what a group whose COMMIT's outcome is unknown (the connection lost)
        would have answered. If that COMMIT did go through, the single path finds the
        group's idempotency record and replays it; but those events were written by this
        very request, so it is answered as the original, not as a replay. The record is
        the group's own when it holds the very answer the group made (its events' ids and
        positions are this transaction's alone); a retry that wrote it instead is not."""
        try:
            outcome = await self._single.handle(
                s.account_id,
                s.command,
                command_id=s.command_id,
                payload=s.payload,
                meta=s.meta,
                present=s.present,
                wait=wait,
            )
        except StreamBusy:
            if wait:
                raise
            return False
        except Exception as e:
            if not s.answer.done():
                s.answer.set_exception(e)
        else:
            if made is not None and outcome.replayed and _same(outcome, made):
                outcome = made
            _settle(s, outcome)
        return True

    async def _grouped(self, group: list[Submitted]) -> tuple[list[Result | None], bool]:
        """The group's answers (None: not decided, its stream was busy) and whether its
        transaction failed, in which case every command runs alone and the answers are
        what the group decided before it failed."""
        results: list[Result | None] = []
        for attempt in range(1, GROUP_ATTEMPTS + 1):
            results = [None] * len(group)
            try:
                await self._transaction(group, results)
                return results, False
            except err.ConcurrencyConflict as e:
                log.debug("group of %d: %s, attempt %d", len(group), e, attempt)
            except Exception:
                log.warning("group of %d failed; its commands run alone", len(group), exc_info=True)
                return results, True
        return [None] * len(group), True

    async def _transaction(self, group: list[Submitted], results: list[Result | None]) -> None:
        """Decide and write ``group``, its answers in ``results`` as they are decided."""
        by_account: dict[str, list[int]] = {}
        for n, s in enumerate(group):
            by_account.setdefault(s.account_id, []).append(n)
        accounts = sorted(by_account)
        async with self._uow() as uow:
            locked = await uow.lock(accounts)
            accounts = [a for a in accounts if a not in locked.busy]
            if any(h.position >> ORDINAL_BITS >= locked.tx_id for h in locked.heads.values()):
                raise err.ConcurrencyConflict("transaction order, retry")
            found = await uow.find_commands([group[n].key for a in accounts for n in by_account[a]])
            wanted = {a: needs_of_all(group[n].command for n in by_account[a]) for a in accounts}
            states = await uow.load_states(wanted)
            recorded_at = self._clock.now()
            write = BatchWrite([], [], [], [], [], [])
            for a in accounts:
                share = _Share(states.get(a), locked.heads.get(a))
                for n in by_account[a]:
                    first = len(write.events) + len(share.events)
                    results[n] = self._decide(
                        share, group[n], found, locked.tx_id, first, recorded_at
                    )
                    if share.spoilt:
                        # rare (a total past the limit): the state as loaded, read again (the
                        # stream is locked and nothing written yet), and the share's events
                        state = (await uow.load_states({a: wanted[a]})).get(a)
                        for e in share.decided:
                            state = evolve(state, e)
                        share.state, share.spoilt = state, False
                if share.events:
                    append_account(write, a, share)
            if write.events:
                await uow.write_batch(write)

    def _decide(
        self,
        share: _Share,
        s: Submitted,
        found: dict[CommandKey, Done],
        tx_id: int,
        first: int,
        recorded_at: Any,
    ) -> Result:
        """One command on its account's share: its answer or its refusal. A refusal leaves
        the share as it was, but for its state when the refusal came after the events
        were folded into it (``spoilt``: the caller makes it again)."""
        command_type = s.key[1]
        digest = request_hash(s.payload)
        earlier = found.get(s.key)
        prior = (
            (earlier.request_hash, Outcome(earlier.status_code, earlier.response, True))
            if earlier
            else share.seen.get(s.key)
        )
        if prior is not None:
            if prior[0] != digest:
                return err.IdempotencyConflict(
                    f"{command_type} {s.command_id} was already made with another payload"
                )
            return Outcome(prior[1].status_code, prior[1].body, True)
        try:
            new_events = decide(
                self._policy.bind(s.command, share.state, s.meta.actor), share.state
            )
            stored = seal(
                stream_id=s.account_id,
                head=share.head,
                tx_id=tx_id,
                new=[NewEvent(e, uuid4()) for e in new_events],
                meta=s.meta,
                recorded_at=recorded_at,
                key=self._key,
                first=first,
            )
        except err.LedgerError as e:
            return e
        # Folded into the share's state itself, not a copy: a command is refused after
        # this point only past a total's limit, and then the caller makes the state again.
        state = share.state
        try:
            for event in new_events:
                state = evolve(state, event)
            assert state is not None
            item_ids, pay_ids = touched_by_events(new_events)
            check_totals(state, item_ids, pay_ids, field=amount_field(s.command))
        except err.LedgerError as refused:
            share.spoilt = share.state is not None  # None: a new account, nothing changed
            return refused
        body = s.present(state, new_events, stored)
        share.state = state
        last = stored[-1]
        share.head = StreamHead(last.version, last.position, last.hash)
        share.events += stored
        share.decided += new_events
        share.items |= item_ids
        share.pays |= pay_ids
        for event, st in zip(new_events, stored, strict=True):
            share.journal += journal_rows(s.account_id, st.position, event, recorded_at)
        outcome = Outcome(201, body, False)
        share.seen[s.key] = (digest, outcome)
        share.commands.append(
            {
                "account_id": s.account_id,
                "command_type": command_type,
                "command_id": s.command_id,
                "request_hash": digest,
                "status_code": 201,
                "response": body,
                "recorded_at": recorded_at,
            }
        )
        return outcome


def _same(found: Outcome, made: Outcome) -> bool:
    """The answer an idempotency record replays is the very one ``made`` (compared as the
    JSON the record holds: a tuple and a list are the same array there)."""
    return found.status_code == made.status_code and orjson.dumps(found.body) == orjson.dumps(
        made.body
    )


def _settle(s: Submitted, result: Result | Outcome) -> None:
    if s.answer.done():  # the request went away meanwhile
        return
    if isinstance(result, Exception):
        s.answer.set_exception(result)
    else:
        s.answer.set_result(result)

"""Command handling: lock → check idempotency → load → decide → append → project.

A command never replays the account's history: it loads the partial state it needs from
the projections, which the same transaction keeps up to date.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import orjson

from ledger.application.approvals import ApprovalPolicy, approval_needs
from ledger.application.clock import Clock
from ledger.application.hashing import has_float
from ledger.application.ports import Needs, UnitOfWorkFactory
from ledger.application.projections import (
    Row,
    account_row,
    item_row,
    journal_rows,
    payment_row,
    touched,
)
from ledger.application.records import Metadata, NewEvent, StoredEvent
from ledger.application.sealing import seal
from ledger.domain import commands as cmd
from ledger.domain import errors as err
from ledger.domain.decide import decide
from ledger.domain.events import Event
from ledger.domain.limits import check_totals
from ledger.domain.state import Account, evolve
from servicekit.transient import retrying

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20

Presenter = Callable[[Account, list[Event], list[StoredEvent]], dict[str, Any]]


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: dict[str, Any]
    replayed: bool


def _canonical(value: Any) -> str:
    """Amounts by value ("50000" and "50000.00" are one amount), dates in ISO form."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_DIGEST_OPTIONS = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def request_hash(payload: dict[str, Any]) -> bytes:
    """What makes two requests "the same command" for idempotency: a SHA-256 of
    ``json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_canonical)``, as
    every idempotency record so far holds. orjson writes the same bytes several times
    faster when the text is ASCII without DEL (json.dumps escapes the rest) and holds no
    float (orjson may write one in another form); otherwise json.dumps writes it."""
    if not has_float(payload):
        try:
            raw = orjson.dumps(payload, default=_canonical, option=_DIGEST_OPTIONS)
        except orjson.JSONEncodeError:  # an int past 64 bits, a key that is not text
            raw = b""
        if raw and raw.isascii() and b"\x7f" not in raw:  # json.dumps escapes DEL too
            return hashlib.sha256(raw).digest()
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_canonical)
    return hashlib.sha256(text.encode()).digest()


def needs(command: cmd.Command) -> Needs:
    """What ``decide`` reads for ``command``; the rest of the account stays unloaded."""
    items: set[str] = set()
    pays: set[str] = set()
    fields = command.__dict__  # a missing field through getattr costs a pydantic exception
    for name in ("invoice_id", "adjustment_id"):
        value = fields.get(name)
        if value:
            items.add(value)
    for spec in fields.get("allocations") or ():
        items.add(spec.invoice_id)
    payment_id = fields.get("payment_id")
    if payment_id:
        pays.add(payment_id)
    auto_allocation = isinstance(command, cmd.ReceivePayment) and command.allocations is None
    draws_credit = isinstance(command, cmd.IssueRefund | cmd.ApplyUnappliedCredit)
    return Needs(frozenset(items), frozenset(pays), auto_allocation, draws_credit)


def needs_of_all(commands: Iterable[cmd.Command]) -> Needs:
    """What ``decide`` reads for every one of ``commands`` (on one account)."""
    each = [needs(c) for c in commands]
    return Needs(
        frozenset().union(*(n.item_ids for n in each)),
        frozenset().union(*(n.payment_ids for n in each)),
        any(n.open_items for n in each),
        any(n.credit for n in each),
    )


class CommandHandler:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        chain_key: bytes,
        policy: ApprovalPolicy | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._key = chain_key
        self._policy = policy or ApprovalPolicy()

    async def handle(
        self,
        account_id: str,
        command: cmd.Command,
        *,
        command_id: str,
        payload: dict[str, Any],
        meta: Metadata,
        present: Presenter,
        status_code: int = 201,
        wait: bool = True,
    ) -> Outcome:
        """Run ``command`` once; a retry with the same id and payload replays the result.
        Without ``wait``, StreamBusy if another transaction holds the account's stream."""
        command_type = type(command).__name__
        digest = request_hash(payload)

        async def attempt() -> Outcome:
            # the command's id makes running it again safe: one that committed replays
            return await self._attempt(
                account_id,
                command,
                command_type,
                command_id,
                digest,
                meta,
                present,
                status_code,
                wait,
            )

        for n in range(1, MAX_ATTEMPTS + 1):
            try:
                return await retrying(attempt, what=f"{command_type} on {account_id}")
            except err.ConcurrencyConflict:
                log.debug("conflict on %s, attempt %d", account_id, n)
        raise err.ConcurrencyConflict(f"account {account_id} is too busy; retry the command")

    async def _attempt(
        self,
        account_id: str,
        command: cmd.Command,
        command_type: str,
        command_id: str,
        digest: bytes,
        meta: Metadata,
        present: Presenter,
        status_code: int,
        wait: bool,
    ) -> Outcome:
        reads = needs(command)
        async with self._uow() as uow:
            started = await uow.begin(account_id, command_type, command_id, reads, wait=wait)
            if started.done is not None:
                if started.done["request_hash"] != digest:
                    raise err.IdempotencyConflict(
                        f"{command_type} {command_id} was already made with another payload"
                    )
                return Outcome(started.done["status_code"], started.done["response"], True)
            head = started.head
            state = await uow.load_state(account_id, reads) if head else None
            more = approval_needs(command, state, reads)
            if more is not None:
                state = await uow.load_state(account_id, more)
            new_events = decide(self._policy.bind(command, state, meta.actor), state)
            recorded_at = self._clock.now()
            stored = seal(
                stream_id=account_id,
                head=head,
                tx_id=started.tx_id,
                new=[NewEvent(e, uuid4()) for e in new_events],
                meta=meta,
                recorded_at=recorded_at,
                key=self._key,
            )
            if head is not None and stored[0].position <= head.position:
                # our transaction id is older than the head's: the feed would list us first
                raise err.ConcurrencyConflict(f"{account_id}: transaction order, retry")
            for e in new_events:
                state = evolve(state, e)
            assert state is not None
            item_ids, pay_ids = touched_by_events(new_events)
            check_totals(state, item_ids, pay_ids, field=amount_field(command))
            account, items, pays, lines = _rows(state, new_events, stored, item_ids, pay_ids)
            body = present(state, new_events, stored)
            await uow.write(
                head=head,
                stored=stored,
                account=account,
                items=items,
                pays=pays,
                journal_lines=lines,
                command={
                    "account_id": account_id,
                    "command_type": command_type,
                    "command_id": command_id,
                    "request_hash": digest,
                    "status_code": status_code,
                    "response": body,
                    "recorded_at": recorded_at,
                },
            )
            return Outcome(status_code, body, replayed=False)


def touched_by_events(new_events: list[Event]) -> tuple[set[str], set[str]]:
    item_ids: set[str] = set()
    pay_ids: set[str] = set()
    for e in new_events:
        i, p = touched(e)
        item_ids |= i
        pay_ids |= p
    return item_ids, pay_ids


def amount_field(command: cmd.Command) -> str | None:
    """The request field that carries the command's money, for a total-limit refusal."""
    for name in ("amount", "lines", "credit_limit"):
        if name in type(command).model_fields:
            return name
    return None


def _rows(
    state: Account,
    new_events: list[Event],
    stored: list[StoredEvent],
    item_ids: set[str],
    pay_ids: set[str],
) -> tuple[Row, list[Row], list[Row], list[Row]]:
    lines: list[Row] = []
    for e, s in zip(new_events, stored, strict=True):
        lines += journal_rows(state.account_id, s.position, e, s.recorded_at)
    items = [item_row(state.account_id, state.items[i]) for i in sorted(item_ids)]
    pays = [payment_row(state.account_id, state.payments[p]) for p in sorted(pay_ids)]
    return account_row(state), items, pays, lines

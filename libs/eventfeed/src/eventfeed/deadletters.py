"""Operating a consumer's dead letters: list them, count them, retry them after a fix.

:class:`DeadLetters` needs the consumer's name, database and handler but no transport, so
a service's HTTP routes and command line can use it whether or not the consumer runs in
that process (or in another replica). The count it reports comes from the database, the
one place every process agrees on; it also sets the ``eventfeed_dead_letters`` gauge.

A retry runs the handler again in its own transaction, with the dead-letter row locked:
two operators retrying one letter at once serialise, and the second finds it resolved, so
a fixed event is applied exactly once.

:class:`DeadLetterView` is the JSON form of one letter for operator APIs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol
from uuid import UUID

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncEngine

from eventfeed import store
from eventfeed.metrics import ConsumerMetrics
from eventfeed.schema import DEFAULT_PREFIX, Tables
from eventfeed.store import DeadLetter

if TYPE_CHECKING:
    from eventfeed.consumer import Handler

log = logging.getLogger(__name__)

Outcome = Literal["resolved", "failed", "not_found", "already_resolved"]


@dataclass(frozen=True)
class RetryResult:
    """``resolved``: the handler succeeded and its effects committed. ``failed``: it raised
    again (the error and attempts are updated). ``not_found`` / ``already_resolved``:
    nothing was run. ``letter``: the dead letter after the attempt (None if not found)."""

    outcome: Outcome
    letter: DeadLetter | None


class DeadLetters:
    """The dead letters of consumer ``name`` in ``engine``'s database; ``handler`` is the
    one the consumer runs (a retry runs it again)."""

    def __init__(
        self,
        name: str,
        engine: AsyncEngine,
        handler: Handler,
        *,
        tables: str | Tables = DEFAULT_PREFIX,
        metrics: ConsumerMetrics | None = None,
    ) -> None:
        self.name = name
        self.engine = engine
        self.handler = handler
        self.tables = tables if isinstance(tables, Tables) else Tables(tables)
        self.metrics = metrics

    async def list(self, *, include_resolved: bool = False) -> list[DeadLetter]:
        """Unresolved letters (and resolved ones if asked), in position order."""
        async with self.engine.connect() as conn:
            return await store.dead_letters(
                conn, self.tables, self.name, include_resolved=include_resolved
            )

    async def get(self, event_id: UUID) -> DeadLetter | None:
        async with self.engine.connect() as conn:
            return await store.dead_letter(conn, self.tables, self.name, event_id, lock=False)

    async def count(self) -> int:
        """Unresolved letters, from the database; also sets the gauge."""
        async with self.engine.connect() as conn:
            n = await store.count_dead_letters(conn, self.tables, self.name)
        if self.metrics is not None:
            self.metrics.dead_letters.labels(self.name).set(n)
        return n

    async def retry(self, event_id: UUID) -> RetryResult:
        """Run the handler again on one parked event; resolved on success."""
        async with self.engine.begin() as conn:
            letter = await store.dead_letter(conn, self.tables, self.name, event_id)
            if letter is None:
                return RetryResult("not_found", None)
            if letter.resolved_at is not None:
                return RetryResult("already_resolved", letter)
            try:
                async with conn.begin_nested():
                    await self.handler(conn, letter.event)
            except Exception as e:
                log.warning("consumer %s: retry of %s failed: %s", self.name, event_id, e)
                await store.add_dead_letter(
                    conn, self.tables, self.name, letter.event, error_text(e)
                )
                outcome: Outcome = "failed"
            else:
                await store.resolve_dead_letter(conn, self.tables, self.name, event_id)
                outcome = "resolved"
            after = await store.dead_letter(conn, self.tables, self.name, event_id)
        await self.count()
        return RetryResult(outcome, after)

    async def retry_all(self) -> tuple[int, int]:
        """Retry every unresolved letter in position order: (resolved, still failing)."""
        ok = failed = 0
        for letter in await self.list():
            result = await self.retry(letter.event.event_id)
            if result.outcome == "resolved":
                ok += 1
            elif result.outcome == "failed":
                failed += 1
        return ok, failed


def error_text(e: BaseException) -> str:
    """How an exception is recorded on a dead letter."""
    return f"{type(e).__name__}: {e}"[:4000]


class DeadLetterView(BaseModel):
    """An event the consumer's handler could not process, parked for an operator."""

    event_id: UUID = Field(description="the parked event's id; retry it by this id")
    consumer: str
    position: int = Field(description="the event's global position in the ledger")
    event_type: str = Field(examples=["InvoiceIssued"])
    account_id: str
    stream_version: int = Field(description="the event's version in its account stream")
    schema_version: int
    effective_date: date
    recorded_at: datetime
    data: dict[str, Any] = Field(description="the event's payload as published")
    error: str = Field(description="the last error the handler raised")
    attempts: int = Field(description="handler runs that failed (the first one included)")
    failed_at: datetime = Field(description="when it last failed")
    resolved_at: datetime | None = Field(description="when a retry succeeded")

    @classmethod
    def of(cls, letter: DeadLetter) -> DeadLetterView:
        e = letter.event
        return cls(
            event_id=e.event_id,
            consumer=letter.consumer,
            position=e.position,
            event_type=e.type,
            account_id=e.account_id,
            stream_version=e.version,
            schema_version=e.schema_version,
            effective_date=e.effective_date,
            recorded_at=e.recorded_at,
            data=dict(e.data),
            error=letter.error,
            attempts=letter.attempts,
            failed_at=letter.failed_at,
            resolved_at=letter.resolved_at,
        )


class DeadLetterList(BaseModel):
    count: int = Field(description="unresolved dead letters of the consumer")
    dead_letters: list[DeadLetterView]


class RetryView(BaseModel):
    outcome: Literal["resolved", "failed"] = Field(
        description="resolved: the handler succeeded and its effects are committed; "
        "failed: it raised again (see error and attempts)"
    )
    dead_letter: DeadLetterView


def table(letters: Iterable[DeadLetter], write: Callable[[str], Any] = print) -> None:
    """A plain-text listing for the services' command lines."""
    rows = list(letters)
    if not rows:
        write("no dead letters")
        return
    for d in rows:
        e = d.event
        state = f"resolved {d.resolved_at:%Y-%m-%d %H:%M}" if d.resolved_at else "open"
        write(
            f"{e.event_id}  position {e.position}  {e.type}  account {e.account_id} "
            f"v{e.version}  attempts {d.attempts}  {state}"
        )
        write(f"    {d.error.splitlines()[0] if d.error else ''}")


def add_command(subparsers: Any) -> None:
    """The ``dead-letters`` subcommand of a service's CLI (argparse), run by :func:`operate`."""
    dead = subparsers.add_parser(
        "dead-letters", help="list the ledger events the consumer parked; retry one after a fix"
    )
    dead.add_argument("--retry", type=UUID, metavar="EVENT_ID", help="run the handler again")
    dead.add_argument("--retry-all", action="store_true", help="retry every open dead letter")
    dead.add_argument("--all", action="store_true", help="list resolved ones too")


async def operate(
    letters: DeadLetters,
    *,
    retry: UUID | None = None,
    retry_all: bool = False,
    everything: bool = False,
    write: Callable[[str], Any] = print,
) -> int:
    """The services' ``<service> dead-letters`` command: list the letters (``everything``:
    resolved ones too), or retry one or all of them. Exit status 1 when a retry did not
    resolve what it was asked to."""
    if retry is not None:
        result = await letters.retry(retry)
        d = result.letter
        if result.outcome == "resolved":
            write(f"{retry}: resolved (the handler succeeded; its effects are committed)")
        elif result.outcome == "failed" and d is not None:
            write(f"{retry}: still failing after {d.attempts} attempts: {d.error}")
        elif result.outcome == "already_resolved" and d is not None:
            write(f"{retry}: already resolved at {d.resolved_at}; not run again")
        else:
            write(f"{retry}: no dead letter of consumer {letters.name} has this event id")
        return 0 if result.outcome == "resolved" else 1
    if retry_all:
        ok, failed = await letters.retry_all()
        write(f"retried: {ok} resolved, {failed} still failing")
        table(await letters.list(), write)
        return 1 if failed else 0
    table(await letters.list(include_resolved=everything), write)
    return 0


class Operated(Protocol):
    """A built service whose consumer parks dead letters."""

    def dead_letters(self) -> DeadLetters: ...

    async def close(self) -> None: ...


async def run_command(build: Callable[[], Operated], args: Any) -> int:
    """Run the ``dead-letters`` subcommand :func:`add_command` parsed on the service
    ``build`` makes, and close it."""
    service = build()
    try:
        return await operate(
            service.dead_letters(), retry=args.retry, retry_all=args.retry_all, everything=args.all
        )
    finally:
        await service.close()

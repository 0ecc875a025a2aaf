"""The consumer loop: fetch a batch, handle it in one transaction, acknowledge, repeat.

Effectively once: for each event the consumer first claims ``(consumer, account, version)``
in its own database (:func:`eventfeed.store.claim`); a version already claimed is a
duplicate and skipped. The handler runs in a savepoint of the same transaction, so its
changes, the claim and the feed cursor commit together or not at all. A handler that
raises goes to the dead-letter table (the claim stays: the consumer moves on); one that
raises :class:`RetryLater`, or a database/transport failure, rolls the whole batch back
and it is fetched again after a backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from eventfeed import store
from eventfeed.deadletters import DeadLetters, error_text
from eventfeed.event import LedgerEvent
from eventfeed.metrics import ConsumerMetrics
from eventfeed.schema import DEFAULT_PREFIX, Tables
from eventfeed.sources.base import Source

log = logging.getLogger(__name__)

Handler = Callable[[AsyncConnection, LedgerEvent], Awaitable[None]]
"""``async def handle(conn, event) -> None``: apply one event inside the consumer's
transaction (``conn``); never commit or roll back ``conn`` yourself."""

BatchScope = Callable[[AsyncConnection, Sequence[LedgerEvent]], AbstractAsyncContextManager[None]]
"""Optional: entered around the handler calls of a batch (not when the batch is run again
event by event after a failure), given the events to be handled; a handler may keep state
for the whole batch in it (load every account once, write once on a clean exit)."""


class RetryLater(Exception):
    """Raised by a handler for a transient failure: the batch is retried, not dead-lettered."""


class _HandlerFailed(Exception):
    """A handler raised in a batch run without savepoints: run it again with them."""


def _credential_refused(error: BaseException) -> bool:
    """An HTTP answer 401 or 403 from the source (the ledger's feed refusing the consumer's
    credential, or lacking one): a one-off catch-up (a command's) stops at once instead of
    retrying until its time is up; :meth:`Consumer.run` (a service's) keeps retrying."""
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None) in (401, 403)


@dataclass
class Backoff:
    """Exponential backoff between retries, reset by a success."""

    initial: float = 0.2
    maximum: float = 10.0
    factor: float = 2.0
    _next: float = 0.0

    def next(self) -> float:
        grown = min(self.maximum, self._next * self.factor)
        self._next = self.initial if self._next == 0 else grown
        return self._next

    def reset(self) -> None:
        self._next = 0.0


@dataclass(frozen=True)
class ConsumerStatus:
    """For readiness endpoints: ``ready`` is False while the consumer is failing."""

    name: str
    transport: str
    state: str  # starting | catching_up | live | retrying | stopped
    ready: bool
    position: int
    lag: int | None
    processed: int
    duplicates: int
    dead_letters: int
    gaps: int
    last_error: str | None
    seconds_since_progress: float | None
    lag_seconds: float | None = None  # how old the newest processed event is while behind
    refused: str | None = None  # the feed refused the credential (401/403): no retry helps

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def keeps_up(self, max_seconds: float | None, max_events: int | None = None) -> bool:
        """Ready, and behind by no more than ``max_seconds`` (of the ledger's time) and
        ``max_events`` (None: that limit is off). The readiness test of a consumer."""
        if not self.ready:
            return False
        if max_seconds is not None and (self.lag_seconds or 0.0) > max_seconds:
            return False
        return max_events is None or self.lag is None or self.lag <= max_events


@dataclass(frozen=True)
class BatchResult:
    handled: int
    duplicates: int
    dead_lettered: int
    gaps: int = 0


class Consumer:
    """Consumes ledger events into one service's database.

    name       consumer name: the Kafka group id and the key of the framework's rows
    engine     SQLAlchemy async engine of the service's own database
    handler    ``async def handle(conn, event)``
    source     :class:`~eventfeed.HttpFeedSource` or :class:`~eventfeed.KafkaSource`
    tables     prefix of the framework's tables (see :mod:`eventfeed.schema`)
    metrics    :class:`~eventfeed.ConsumerMetrics` to update (e.g. on the service's registry)
    strict_order  skip (and count as a gap) an event whose stream version is beyond the next
               one, instead of applying it out of order; it applies when redelivered after
               the missing ones (the relay resends from its checkpoint)
    """

    def __init__(
        self,
        name: str,
        engine: AsyncEngine,
        handler: Handler,
        source: Source,
        *,
        tables: str = DEFAULT_PREFIX,
        max_batch: int = 500,
        poll_wait: float = 5.0,
        backoff: Backoff | None = None,
        metrics: ConsumerMetrics | None = None,
        strict_order: bool = True,
        batch: BatchScope | None = None,
    ) -> None:
        self.name = name
        self.batch = batch
        self.engine = engine
        self.handler = handler
        self.source = source
        self.tables = Tables(tables)
        self.max_batch = max_batch
        self.poll_wait = poll_wait
        self.backoff = backoff or Backoff()
        self.metrics = metrics or ConsumerMetrics()
        self.strict_order = strict_order
        self.dead_letter_table = DeadLetters(
            name, engine, handler, tables=self.tables, metrics=self.metrics
        )
        self._gaps = 0
        self._state = "stopped"
        self._opened = False
        self._stopping = False
        self._fetching: asyncio.Future[list[LedgerEvent]] | None = None
        self._position = 0
        self._processed = 0
        self._duplicates = 0
        self._dead_letters = 0
        self._last_error: str | None = None
        self._refused: str | None = None  # the feed refused the credential (401/403)
        self._last_progress: float | None = None
        self._last_recorded: datetime | None = None

    # --- running -------------------------------------------------------------------------

    async def run(self) -> None:
        """Consume until :meth:`stop` (or cancellation); failures are retried with backoff."""
        self._stopping = False
        self._state = "starting"
        try:
            while not self._stopping:
                await self._step(self.poll_wait)
        finally:
            self._state = "stopped"
            await self._close()

    async def run_until_caught_up(self, *, max_seconds: float | None = None) -> int:
        """Consume until everything published so far is processed; return events handled."""
        return await self._consume_until(self.source.caught_up, max_seconds)

    async def _consume_until(
        self, done: Callable[[], Awaitable[bool]], max_seconds: float | None
    ) -> int:
        self._stopping = False
        self._state = "starting"
        before = self._processed
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        try:
            while not self._stopping:
                if self._opened and await done():
                    break
                if deadline is not None and time.monotonic() > deadline:
                    why = f" (last error: {self._last_error})" if self._last_error else ""
                    raise TimeoutError(
                        f"consumer {self.name} did not catch up in {max_seconds}s{why}"
                    )
                await self._step(0.2)
                if self._refused is not None:  # no retry helps until a credential is set
                    raise TimeoutError(
                        f"consumer {self.name} did not catch up: the feed refused its "
                        f"credential ({self._refused})"
                    )
        finally:
            self._state = "stopped"
            await self._close()
        return self._processed - before

    async def catch_up(self, *, max_seconds: float) -> bool:
        """Wait until every event the source had published when this is called is processed
        (and committed); False if that takes longer than ``max_seconds``.

        For work that must not miss an event, such as a settlement. The target is the
        source's head when the consumer is first open here (:meth:`Source.head`): events
        published while it waits do not move it, so a busy ledger does not keep it waiting.
        While :meth:`run` is active (the service's background consumer) this waits for it;
        otherwise it consumes here. A consumer that keeps failing (retrying) does not catch
        up: the caller is told, and can refuse to act on stale state.
        """
        head: object = None

        async def reached() -> bool:
            nonlocal head
            try:
                if head is None:
                    head = await self.source.head()
                return await self.source.reached(head)
            except Exception as e:  # transport trouble (no partitions yet): not caught up
                log.debug("consumer %s: head not known yet: %s", self.name, e)
                return False

        if self._state == "stopped":
            try:
                await self._consume_until(reached, max_seconds)
            except TimeoutError:
                return False
            return True
        deadline = time.monotonic() + max_seconds
        while True:
            if self._opened and self._state in ("live", "catching_up") and await reached():
                return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)

    def stop(self) -> None:
        """Ask :meth:`run` to return after the current batch."""
        self._stopping = True
        if self._fetching is not None and not self._fetching.done():
            self._fetching.cancel()

    async def _step(self, wait: float) -> None:
        try:
            if not self._opened:
                await self._open()
            self._fetching = asyncio.ensure_future(self.source.fetch(self.max_batch, wait))
            try:
                events = await self._fetching
            except asyncio.CancelledError:
                if self._stopping:
                    return
                raise
            finally:
                self._fetching = None
            if events:
                await self.process(events)
                await self.source.ack(events)
            self._progress(caught_up=not events)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # transport or database: retry, never die
            await self._failed(e)

    async def _open(self) -> None:
        async with self.engine.connect() as conn:
            after = await store.checkpoint(conn, self.tables, self.name)
            self._dead_letters = await store.count_dead_letters(conn, self.tables, self.name)
        self.metrics.dead_letters.labels(self.name).set(self._dead_letters)
        self._position = after
        await self.source.open(after=after)
        self._opened = True

    async def _close(self) -> None:
        if self._opened:
            self._opened = False
            with contextlib.suppress(Exception):
                await self.source.close()

    def _progress(self, *, caught_up: bool) -> None:
        self.backoff.reset()
        self._last_error = None
        self._refused = None
        self._last_progress = time.monotonic()
        lag = self.source.lag()
        self._state = "live" if caught_up or lag == 0 else "catching_up"
        if lag is not None:
            self.metrics.lag.labels(self.name).set(lag)
        self.metrics.position.labels(self.name).set(self._position)

    async def _failed(self, error: Exception) -> None:
        self._state = "retrying"
        self._last_error = f"{type(error).__name__}: {error}"
        self._refused = self._last_error if _credential_refused(error) else None
        self.metrics.failures.labels(self.name).inc()
        delay = self.backoff.next()
        log.warning("consumer %s: %s; retrying in %.1fs", self.name, self._last_error, delay)
        try:
            await self.source.rewind()
        except Exception as e:
            log.warning("consumer %s: rewind failed (%s); reopening", self.name, e)
            await self._close()
        await asyncio.sleep(delay)

    # --- one batch -----------------------------------------------------------------------

    async def process(self, events: Sequence[LedgerEvent]) -> BatchResult:
        """Apply a batch in one transaction (claims, handler effects, dead letters, cursor).

        The batch first runs without a savepoint per event (two round trips fewer each);
        if a handler fails, the transaction is rolled back and the batch runs again with
        one savepoint per event, so only the failing event is dead-lettered."""
        try:
            return await self._process(events, careful=False)
        except _HandlerFailed:
            return await self._process(events, careful=True)

    async def _process(self, events: Sequence[LedgerEvent], *, careful: bool) -> BatchResult:
        handled = duplicates = dead = gaps = 0
        async with self.engine.begin() as conn:
            try:
                outcomes = await store.claim_batch(
                    conn, self.tables, self.name, events, strict=self.strict_order
                )
            except store.ClaimRace as e:
                raise RetryLater(str(e)) from e
            claimed = [e for e, o in zip(events, outcomes, strict=True) if o == "claimed"]
            scope = self.batch(conn, claimed) if self.batch and not careful else nullcontext()
            async with scope:
                for event, outcome in zip(events, outcomes, strict=True):
                    tally = await self._one(conn, event, outcome, careful=careful)
                    handled += tally == "handled" or tally == "dead"
                    duplicates += tally == "duplicate"
                    gaps += tally == "gap"
                    dead += tally == "dead"
            cursor = max(e.position for e in events) if self.source.kind == "http" else None
            await store.advance(conn, self.tables, self.name, position=cursor, processed=handled)
            parked = self._dead_letters
            if dead:  # from the table: retries by other processes change it too
                parked = await store.count_dead_letters(conn, self.tables, self.name)
        if cursor is not None:
            self._position = max(self._position, cursor)
        elif events:
            self._position = events[-1].position
        self._processed += handled
        self._duplicates += duplicates
        self._dead_letters = parked
        self._gaps += gaps
        if events:
            self._last_recorded = events[-1].recorded_at
        self.metrics.gaps.labels(self.name).inc(gaps)
        self.metrics.processed.labels(self.name).inc(handled)
        self.metrics.duplicates.labels(self.name).inc(duplicates)
        self.metrics.dead_letters.labels(self.name).set(self._dead_letters)
        return BatchResult(handled, duplicates, dead, gaps)

    async def _one(
        self, conn: AsyncConnection, event: LedgerEvent, outcome: store.Claim, *, careful: bool
    ) -> str:
        """Handle one event of the batch: ``handled``, ``dead``, ``duplicate`` or ``gap``."""
        if outcome == "duplicate":
            return "duplicate"
        if outcome == "gap":
            log.error(
                "consumer %s: %s v%d arrived before an earlier version; skipped "
                "until the missing events are delivered (or replay from the feed)",
                self.name,
                event.account_id,
                event.version,
            )
            return "gap"
        if not careful:
            try:
                await self.handler(conn, event)
            except (RetryLater, OperationalError, InterfaceError):
                raise
            except DBAPIError as e:
                if e.connection_invalidated:
                    raise
                raise _HandlerFailed from e
            except Exception as e:
                raise _HandlerFailed from e
            return "handled"
        try:
            async with conn.begin_nested():
                await self.handler(conn, event)
        except (RetryLater, OperationalError, InterfaceError):
            raise  # transient: the whole batch is retried
        except DBAPIError as e:
            if e.connection_invalidated:
                raise
            await self._park(conn, event, e)
            return "dead"
        except Exception as e:  # the event is parked, not lost
            await self._park(conn, event, e)
            return "dead"
        return "handled"

    async def _park(self, conn: AsyncConnection, event: LedgerEvent, error: Exception) -> None:
        log.exception(
            "consumer %s: %s %s v%d dead-lettered",
            self.name,
            event.type,
            event.account_id,
            event.version,
        )
        await store.add_dead_letter(conn, self.tables, self.name, event, error_text(error))

    # --- operators (see :class:`~eventfeed.deadletters.DeadLetters`) ----------------------

    async def dead_letters(self, *, include_resolved: bool = False) -> list[store.DeadLetter]:
        return await self.dead_letter_table.list(include_resolved=include_resolved)

    async def retry_dead_letter(self, event_id: UUID) -> bool:
        """Run the handler again on a parked event; True if it succeeded (then resolved)."""
        result = await self.dead_letter_table.retry(event_id)
        await self._recount()
        return result.outcome == "resolved"

    async def retry_dead_letters(self) -> tuple[int, int]:
        """Retry every open dead letter in position order: (resolved, still failing)."""
        outcome = await self.dead_letter_table.retry_all()
        await self._recount()
        return outcome

    async def _recount(self) -> None:
        self._dead_letters = await self.dead_letter_table.count()

    def _lag_seconds(self, lag: int | None) -> float | None:
        if lag == 0:
            return 0.0
        if lag is None or self._last_recorded is None:
            return None
        return max(0.0, (datetime.now(UTC) - self._last_recorded).total_seconds())

    def status(self) -> ConsumerStatus:
        since = None if self._last_progress is None else time.monotonic() - self._last_progress
        lag = self.source.lag()
        return ConsumerStatus(
            name=self.name,
            transport=self.source.kind,
            state=self._state,
            ready=self._state in ("live", "catching_up"),
            position=self._position,
            lag=lag,
            processed=self._processed,
            duplicates=self._duplicates,
            dead_letters=self._dead_letters,
            gaps=self._gaps,
            last_error=self._last_error,
            seconds_since_progress=since,
            refused=self._refused,
            lag_seconds=self._lag_seconds(lag),
        )

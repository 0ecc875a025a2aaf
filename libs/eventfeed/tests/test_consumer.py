"""The consumer on a real PostgreSQL with an in-memory source: claims, gaps, replay, dead
letters."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from devstack.pytest_plugin import DatabaseFactory
from eventfeed import (
    Consumer,
    DeadLetters,
    HttpFeedSource,
    LedgerEvent,
    create_tables_sql,
    replay,
)
from eventfeed.consumer import Backoff, ConsumerStatus
from eventfeed.testing import follow
from servicekit.apitest import serving


def ev(account: str, version: int, position: int) -> LedgerEvent:
    return LedgerEvent(
        position=position,
        account_id=account,
        version=version,
        event_id=uuid.uuid4(),
        type="PaymentReceived",
        schema_version=1,
        data={"amount": "1.00"},
        effective_date=date(2026, 1, 1),
        recorded_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


class ListSource:
    """Delivers the given batches once each, then nothing."""

    kind = "kafka"

    def __init__(self, batches: Sequence[Sequence[LedgerEvent]]) -> None:
        self.batches = [list(b) for b in batches]
        self.next = 0

    async def open(self, *, after: int, from_beginning: bool = False) -> None:
        if from_beginning:
            self.next = 0

    async def fetch(self, max_events: int, wait: float) -> list[LedgerEvent]:
        if self.next >= len(self.batches):
            return []
        self.next += 1
        return self.batches[self.next - 1]

    async def ack(self, events: Sequence[LedgerEvent]) -> None:
        return None

    async def rewind(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def lag(self) -> int | None:
        return len(self.batches) - self.next

    async def caught_up(self) -> bool:
        return self.next >= len(self.batches)


@pytest.fixture
async def engine(make_database: DatabaseFactory) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(make_database("eventfeed"), pool_size=2)
    async with engine.begin() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute(create_tables_sql() + "CREATE TABLE seen (v integer);")
    yield engine
    await engine.dispose()


async def record(conn: AsyncConnection, event: LedgerEvent) -> None:
    await conn.execute(text("INSERT INTO seen VALUES (:v)"), {"v": event.version})


async def seen(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as conn:
        return [r[0] for r in await conn.execute(text("SELECT v FROM seen"))]


class RefusingSource(ListSource):
    """A feed that refuses the consumer's credential, as the ledger does with a 401."""

    async def fetch(self, max_events: int, wait: float) -> list[LedgerEvent]:
        raise PermissionError("401 Unauthorized")

    async def caught_up(self) -> bool:
        return False


async def test_not_catching_up_in_time_says_why(engine: AsyncEngine) -> None:
    consumer = Consumer("c", engine, record, RefusingSource([]), backoff=Backoff(initial=0.05))
    with pytest.raises(TimeoutError, match=r"did not catch up in 0.3s \(last error: .*401"):
        await consumer.run_until_caught_up(max_seconds=0.3)


@pytest.mark.parametrize("status", [401, 403])
async def test_a_feed_refusing_the_credential_stops_a_catch_up_at_once(
    engine: AsyncEngine, status: int
) -> None:
    """A command run without a ledger credential is told so at once: waiting cannot help."""
    refusing = httpx.MockTransport(lambda r: httpx.Response(status, json={"status": status}))
    client = httpx.AsyncClient(transport=refusing)
    consumer = Consumer("c", engine, record, HttpFeedSource("http://ledger", client=client))
    try:
        with pytest.raises(TimeoutError, match=rf"refused its credential \(.*{status}"):
            await consumer.run_until_caught_up(max_seconds=60)
        assert not await consumer.catch_up(max_seconds=60)  # a settlement's wait: the same
        assert consumer.status().state == "stopped"
        assert str(status) in (consumer.status().refused or "")
    finally:
        await client.aclose()


async def test_a_feed_failing_otherwise_is_retried_until_the_time_is_up(
    engine: AsyncEngine,
) -> None:
    failing = httpx.MockTransport(lambda r: httpx.Response(502, json={"status": 502}))
    client = httpx.AsyncClient(transport=failing)
    consumer = Consumer(
        "c", engine, record, HttpFeedSource("http://ledger", client=client), backoff=Backoff(0.05)
    )
    try:
        with pytest.raises(TimeoutError, match=r"did not catch up in 0.3s \(last error: .*502"):
            await consumer.run_until_caught_up(max_seconds=0.3)
    finally:
        await client.aclose()


async def test_following_a_stalled_consumer_fails_saying_where_it_stands(
    engine: AsyncEngine,
) -> None:
    consumer = Consumer("c", engine, record, RefusingSource([]), backoff=Backoff(initial=0.05))
    with pytest.raises(AssertionError, match=r"no progress for 1s .*last error: .*401"):
        await follow(consumer, stalled_after=1, slice_seconds=0.2)


async def test_a_slow_consumer_is_followed_past_the_stall_limit(engine: AsyncEngine) -> None:
    async def slow(conn: AsyncConnection, event: LedgerEvent) -> None:
        await asyncio.sleep(0.3)  # each event well inside the limit, all of them beyond it
        await record(conn, event)

    consumer = Consumer("c", engine, slow, ListSource([[ev("A", v, v)] for v in range(1, 9)]))
    assert await follow(consumer, stalled_after=1, slice_seconds=0.2) == 8
    assert sorted(await seen(engine)) == list(range(1, 9))


async def test_an_event_ahead_of_its_stream_waits_for_the_missing_one(engine: AsyncEngine) -> None:
    # v3 arrives before v2 (a producer retry), then the resend brings v2 and v3 again
    source = ListSource([[ev("A", 1, 10), ev("A", 3, 30)], [ev("A", 2, 20), ev("A", 3, 30)]])
    consumer = Consumer("c", engine, record, source)
    await consumer.run_until_caught_up(max_seconds=10)
    assert await seen(engine) == [1, 2, 3]
    assert consumer.status().gaps == 1


async def test_without_strict_order_a_later_version_wins(engine: AsyncEngine) -> None:
    source = ListSource([[ev("A", 1, 10), ev("A", 3, 30)], [ev("A", 2, 20)]])
    consumer = Consumer("c", engine, record, source, strict_order=False)
    await consumer.run_until_caught_up(max_seconds=10)
    assert await seen(engine) == [1, 3]
    assert consumer.status().duplicates == 1


async def test_the_http_cursor_holds_positions_past_32_bits(engine: AsyncEngine) -> None:
    # A ledger position grows with the server's transaction ids: on a long-lived server it
    # is far past 2**31 from the first event on.
    far = 49_687_101_442
    source = ListSource([[ev("A", 1, far)], [ev("A", 2, far + 65_536)]])
    source.kind = "http"
    consumer = Consumer("c", engine, record, source)
    await consumer.run_until_caught_up(max_seconds=10)
    assert await seen(engine) == [1, 2]
    status = consumer.status()
    assert (status.position, status.last_error) == (far + 65_536, None)


async def test_replay_resets_and_rebuilds(engine: AsyncEngine) -> None:
    batches = [[ev("A", 1, 10), ev("B", 1, 11)], [ev("A", 2, 20)]]
    await Consumer("c", engine, record, ListSource(batches)).run_until_caught_up(max_seconds=10)

    async def reset(conn: AsyncConnection) -> None:
        await conn.execute(text("DELETE FROM seen"))

    handled = await replay(Consumer("c", engine, record, ListSource(batches)), reset)
    assert handled == 3
    assert sorted(await seen(engine)) == [1, 1, 2]


async def test_a_dead_letter_is_retried_after_a_fix_and_applies_exactly_once(
    engine: AsyncEngine,
) -> None:
    poison = ev("A", 2, 20)
    broken = {poison.event_id}

    async def handle(conn: AsyncConnection, event: LedgerEvent) -> None:
        if event.event_id in broken:
            raise ValueError("cannot handle this one")
        await record(conn, event)

    source = ListSource([[ev("A", 1, 10), poison, ev("A", 3, 30)]])
    consumer = Consumer("c", engine, handle, source)
    await consumer.run_until_caught_up(max_seconds=10)
    assert sorted(await seen(engine)) == [1, 3]  # parked, and the consumer went on
    assert consumer.status().dead_letters == 1

    letters = DeadLetters("c", engine, handle)  # as an operator's CLI builds it: no source
    [letter] = await letters.list()
    assert (letter.event, letter.attempts) == (poison, 1)
    assert letter.error == "ValueError: cannot handle this one"
    assert (await letters.retry(uuid.uuid4())).outcome == "not_found"
    failed = await letters.retry(poison.event_id)  # not fixed yet
    assert failed.outcome == "failed"
    assert failed.letter is not None
    assert failed.letter.attempts == 2
    assert await letters.count() == 1

    broken.clear()  # the fix is deployed; two operators press retry at once
    results = await asyncio.gather(*(letters.retry(poison.event_id) for _ in range(2)))
    assert sorted(r.outcome for r in results) == ["already_resolved", "resolved"]
    assert sorted(await seen(engine)) == [1, 2, 3]
    assert await letters.list() == []
    assert [d.resolved_at is not None for d in await letters.list(include_resolved=True)] == [True]
    assert await letters.count() == 0
    assert not await consumer.retry_dead_letter(poison.event_id)
    assert consumer.status().dead_letters == 0  # recounted from the table


async def test_a_batch_costs_its_handlers_plus_a_few_statements(engine: AsyncEngine) -> None:
    """Claims are written per batch and handlers run without savepoints unless one fails:
    a batch of 50 events (5 of them redelivered) is its 45 handler statements and at most
    five more, not three or four per event."""
    batch = [ev(f"S{n % 10}", n // 10 + 1, 100 + n) for n in range(50)]
    await Consumer("c", engine, record, ListSource([batch[:5]])).run_until_caught_up(max_seconds=10)
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sqlalchemy_event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        result = await Consumer("c", engine, record, ListSource([])).process(batch)
    finally:
        sqlalchemy_event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert (result.handled, result.duplicates) == (45, 5)
    assert sorted(await seen(engine)) == sorted(e.version for e in batch)
    handlers = [s for s in statements if s.startswith("INSERT INTO seen")]
    assert len(handlers) == 45
    assert len(statements) - len(handlers) <= 5, statements


async def test_one_failing_handler_parks_only_its_event(engine: AsyncEngine) -> None:
    async def fussy(conn: AsyncConnection, event: LedgerEvent) -> None:
        await record(conn, event)
        if event.account_id == "BAD":
            raise ValueError("cannot handle this one")

    batch = [ev("A", 1, 10), ev("BAD", 1, 11), ev("A", 2, 12), ev("B", 1, 13)]
    consumer = Consumer("c", engine, fussy, ListSource([batch]))
    await consumer.run_until_caught_up(max_seconds=10)
    assert sorted(await seen(engine)) == [1, 1, 2]  # BAD's insert rolled back with it
    status = consumer.status()
    assert (status.processed, status.dead_letters) == (4, 1)


def test_readiness_is_judged_in_seconds_behind() -> None:
    base = {
        "name": "c",
        "transport": "http",
        "state": "catching_up",
        "ready": True,
        "position": 1,
        "processed": 1,
        "duplicates": 0,
        "dead_letters": 0,
        "gaps": 0,
        "last_error": None,
        "seconds_since_progress": 0.1,
    }
    behind = ConsumerStatus(**base, lag=9_423, lag_seconds=70.0)
    assert not behind.keeps_up(30.0)  # 9,423 events were "ready" under the old 10,000 limit
    assert behind.keeps_up(120.0)
    assert not behind.keeps_up(120.0, max_events=5_000)
    assert ConsumerStatus(**base, lag=0, lag_seconds=0.0).keeps_up(30.0)
    assert not ConsumerStatus(**{**base, "ready": False}, lag=0, lag_seconds=0.0).keeps_up(30)


async def test_lag_seconds_is_the_age_of_the_newest_event_while_behind(
    engine: AsyncEngine,
) -> None:
    old = ev("A", 1, 10)  # recorded in January 2026: far behind now
    consumer = Consumer("c", engine, record, ListSource([[old], [ev("A", 2, 11)]]))
    await consumer.process([old])
    lag_seconds = consumer.status().lag_seconds
    assert lag_seconds is not None
    assert lag_seconds > 86_400
    await consumer.run_until_caught_up(max_seconds=10)
    assert consumer.status().lag_seconds == 0.0


def _busy_feed(published: list[LedgerEvent]) -> FastAPI:
    """A ledger that never stops: every read of its feed publishes one more event."""
    app = FastAPI()

    @app.get("/v1/events")
    async def events(after: int = 0, limit: int = 500) -> dict[str, Any]:
        published.append(ev("BUSY", len(published) + 1, len(published) + 1))
        page = [e for e in published if e.position > after][:limit]
        last = page[-1].position if page else after
        behind = sum(e.position > last for e in published)
        return {"events": [e.to_feed() for e in page], "next_after": last, "behind": behind}

    return app


@pytest.mark.parametrize("running", [False, True], ids=["consumes itself", "background"])
async def test_catching_up_waits_for_the_head_as_of_the_call_not_for_a_quiet_feed(
    engine: AsyncEngine, running: bool
) -> None:
    """A settlement waits until what the ledger had published when it asked is consumed;
    a ledger that keeps publishing does not keep it waiting (the head is never quiet)."""
    published: list[LedgerEvent] = []
    with serving(lambda: _busy_feed(published)) as url:
        client = httpx.AsyncClient()
        source = HttpFeedSource(url, client=client)
        consumer = Consumer(f"busy-{running}", engine, record, source)
        background = asyncio.create_task(consumer.run()) if running else None
        try:
            before = len(published)
            # a wait for a feed with nothing more to give would never end here
            assert await consumer.catch_up(max_seconds=30)
            assert len(await seen(engine)) >= max(before, 1)
        finally:
            if background is not None:
                consumer.stop()
                await background
            await client.aclose()

"""End to end: ledger over HTTP -> relay -> Kafka (Tansu) or the HTTP feed -> a consumer.

The consumer (``support.handle``) counts events per account, refuses a version out of
order and records one row per event id, so a lost, reordered or doubled event shows.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from devstack.kafka import KafkaBroker
from devstack.testing import read_topic, running, wait_for
from eventfeed import Consumer, HttpFeedSource, KafkaSource, LedgerEvent, replay
from eventfeed.consumer import Backoff
from eventfeed.testing import follow
from ledger.adapters.kafka.relay import Relay
from ledger.adapters.postgres.relay_checkpoint import feed_lag
from ledger.bootstrap import Ledger
from ledger.settings import Settings

from . import support

HERE = Path(__file__).parent


def fast_relay(ledger: Ledger, settings: Settings) -> Relay:
    from aiokafka import AIOKafkaProducer

    def producer() -> AIOKafkaProducer:  # notices a dead broker in 3 s instead of 10
        return AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            enable_idempotence=False,
            acks="all",
            request_timeout_ms=3000,
        )

    return Relay(
        ledger.engine,
        settings,
        name=f"test-{uuid.uuid4().hex[:8]}",
        backoff=Backoff(initial=0.1, maximum=0.5),
        producer_factory=producer,
    )


def kafka_consumer(engine: AsyncEngine, settings: Settings, group: str | None = None) -> Consumer:
    source = KafkaSource(
        settings.kafka_bootstrap_servers,
        topic=settings.kafka_topic,
        group_id=group or f"test-{uuid.uuid4().hex[:8]}",
        session_timeout_ms=6000,  # a killed member's partitions move on sooner
        heartbeat_interval_ms=1000,
    )
    return Consumer(
        "test",
        engine,
        support.handle,
        source,
        poll_wait=0.2,
        backoff=Backoff(initial=0.1, maximum=0.5),
    )


def feed_consumer(engine: AsyncEngine, client: httpx.AsyncClient) -> Consumer:
    source = HttpFeedSource("http://ledger", client=client)
    return Consumer(
        "test",
        engine,
        support.handle,
        source,
        poll_wait=0.5,
        backoff=Backoff(initial=0.1, maximum=0.5),
    )


async def consumed_all(
    engine: AsyncEngine, client: httpx.AsyncClient, accounts: list[str], seconds: float = 60
) -> None:
    truth = await support.ledger_truth(client, accounts)

    async def done() -> bool:
        return await support.totals(engine, accounts) == truth

    async def effects() -> int:
        return await support.effects_count(engine, accounts)

    # ``seconds`` without a new effect: a loaded machine is slow, not stuck
    await wait_for(done, seconds, "the consumer to reach the ledger's state", progress=effects)
    assert await support.effects_count(engine, accounts) == sum(t[0] for t in truth.values())


async def no_dead_letters(consumer: Consumer) -> None:
    assert [d.error for d in await consumer.dead_letters()] == []


async def post_concurrently(
    client: httpx.AsyncClient, accounts: Sequence[str], rounds: int, start: int = 0
) -> None:
    await asyncio.gather(*(support.activity(client, a, rounds, start) for a in accounts))


async def open_all(client: httpx.AsyncClient, accounts: Sequence[str]) -> None:
    await asyncio.gather(*(support.open_account(client, a) for a in accounts))


# --- the tests -------------------------------------------------------------------------------


async def test_kafka_end_to_end_in_order_per_account(
    stream_ledger: Ledger,
    ledger_client: httpx.AsyncClient,
    topic_settings: Settings,
    consumer_engine: AsyncEngine,
) -> None:
    accounts = support.new_accounts(4, "e2e")
    relay = fast_relay(stream_ledger, topic_settings)
    consumer = kafka_consumer(consumer_engine, topic_settings)
    async with running(relay, consumer):
        await open_all(ledger_client, accounts)
        await post_concurrently(ledger_client, accounts, 5)  # writers commit out of order
        await consumed_all(consumer_engine, ledger_client, accounts)
    await no_dead_letters(consumer)
    assert relay.metrics.published._value.get() >= 4 * 11


async def test_envelope_is_a_cloudevent_keyed_by_account(
    stream_ledger: Ledger,
    ledger_client: httpx.AsyncClient,
    topic_settings: Settings,
) -> None:
    [account] = support.new_accounts(1, "env")
    await support.open_account(ledger_client, account)
    await support.activity(ledger_client, account, 1)
    relay = fast_relay(stream_ledger, topic_settings)
    await publish_all(relay, stream_ledger)
    await relay.close()
    r = await ledger_client.get(f"/v1/accounts/{account}/events")
    expected = len(r.json()["events"])
    mine = await read_topic(
        topic_settings.kafka_bootstrap_servers,
        topic_settings.kafka_topic,
        expected,
        keep=lambda r: r.key == account.encode(),
    )
    assert len(mine) == expected == 4  # opened, invoiced, paid, allocated
    headers = dict(mine[1].headers)
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == b"receivables.ledger.InvoiceIssued"
    assert headers["ce_source"] == b"/receivables/ledger"
    assert headers["ce_subject"] == account.encode()
    assert headers["ce_streamversion"] == b"2"
    assert headers["ce_schemaversion"] == b"2"
    assert headers["content-type"] == b"application/json"
    from eventfeed.envelope import from_kafka

    from_feed = [LedgerEvent.from_feed(e) for e in r.json()["events"]]
    from_topic = [from_kafka(m.key, m.value, m.headers) for m in mine]
    assert from_topic == from_feed  # the same objects from both transports


async def test_broker_stopped_and_restarted_loses_nothing(
    stream_ledger: Ledger,
    ledger_client: httpx.AsyncClient,
    topic_settings: Settings,
    consumer_engine: AsyncEngine,
    kafka_broker: KafkaBroker,
) -> None:
    """The relay runs through the outage. Tansu keeps its log in memory, so a restart
    loses the topic and reuses its offsets: a consumer still positioned in the old log
    would skip the new one's start (a real broker keeps its log). So the consumer is
    stopped for the outage and a new instance of it (same name, database and group)
    resumes after it, as after a deployment."""
    accounts = support.new_accounts(2, "brk")
    relay = fast_relay(stream_ledger, topic_settings)
    group = f"test-{uuid.uuid4().hex[:8]}"
    before = kafka_consumer(consumer_engine, topic_settings, group=group)
    async with running(relay):
        async with running(before):
            await open_all(ledger_client, accounts)
            await post_concurrently(ledger_client, accounts, 2)
            await consumed_all(consumer_engine, ledger_client, accounts)
        kafka_broker.stop()
        await post_concurrently(ledger_client, accounts, 3, start=2)  # the ledger still accepts
        await wait_for(lambda: _true(relay.last_error is not None), 30, "the relay to notice")
        kafka_broker.start()
        after = kafka_consumer(consumer_engine, topic_settings, group=group)
        async with running(after):
            await consumed_all(consumer_engine, ledger_client, accounts, seconds=90)
    await no_dead_letters(after)
    assert relay.metrics.failures._value.get() > 0


async def _true(value: bool) -> bool:
    return value


def relay_process(settings: Settings, name: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LEDGER_DATABASE_URL": settings.database_url,
        "LEDGER_CHAIN_KEY": settings.chain_key.get_secret_value(),
        "LEDGER_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "LEDGER_KAFKA_TOPIC": settings.kafka_topic,
        "LEDGER_KAFKA_IDEMPOTENT_PRODUCER": "false",
        "LEDGER_RELAY_BATCH_SIZE": "20",
        "LEDGER_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "ledger.cli", "relay", "--name", name],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )


async def publish_all(relay: Relay, ledger: Ledger) -> None:
    """Step the relay until it has published every event committed so far, those the
    feed's horizon holds back (another database's running transaction) included."""

    async def nothing_left() -> bool:
        while await relay.step():
            pass
        async with ledger.engine.connect() as conn:
            return await feed_lag(conn, relay.position) == (0, 0)

    await wait_for(
        nothing_left, 120, "the relay to publish every event", progress=lambda: relay.position
    )


async def relay_checkpoint(ledger: Ledger, name: str) -> int:
    async with ledger.engine.connect() as conn:
        row = await conn.execute(
            text("SELECT position FROM relay_checkpoints WHERE relay = :r"), {"r": name}
        )
        return int(row.scalar_one_or_none() or 0)


async def test_relay_killed_and_restarted_leaves_no_gap(
    stream_ledger: Ledger,
    ledger_client: httpx.AsyncClient,
    topic_settings: Settings,
    consumer_engine: AsyncEngine,
) -> None:
    accounts = support.new_accounts(3, "kill")
    name = f"proc-{uuid.uuid4().hex[:8]}"
    await open_all(ledger_client, accounts)
    consumer = kafka_consumer(consumer_engine, topic_settings)
    proc = relay_process(topic_settings, name)
    try:
        async with running(consumer):
            posting = asyncio.create_task(post_concurrently(ledger_client, accounts, 6))
            first = await relay_checkpoint(stream_ledger, name)

            async def moved() -> bool:
                return await relay_checkpoint(stream_ledger, name) > first

            await wait_for(moved, 60, "the relay to publish")
            proc.send_signal(signal.SIGKILL)  # mid-stream, maybe mid-batch
            proc.wait()
            await posting
            proc = relay_process(topic_settings, name)
            await consumed_all(consumer_engine, ledger_client, accounts, seconds=90)
    finally:
        proc.kill()
        proc.wait()
    await no_dead_letters(consumer)


def slow_consumer_process(
    engine: AsyncEngine, settings: Settings, group: str
) -> subprocess.Popen[bytes]:
    url = engine.url.render_as_string(hide_password=False)
    return subprocess.Popen(
        [
            sys.executable,
            str(HERE / "slow_consumer.py"),
            url,
            settings.kafka_bootstrap_servers,
            settings.kafka_topic,
            group,
        ],
        stdin=subprocess.DEVNULL,
    )


async def test_consumer_killed_mid_batch_has_no_double_effect(
    stream_ledger: Ledger,
    ledger_client: httpx.AsyncClient,
    topic_settings: Settings,
    consumer_engine: AsyncEngine,
) -> None:
    accounts = support.new_accounts(3, "ckill")
    await open_all(ledger_client, accounts)
    await post_concurrently(ledger_client, accounts, 8)
    relay = fast_relay(stream_ledger, topic_settings)
    await publish_all(relay, stream_ledger)
    await relay.close()
    group = f"test-{uuid.uuid4().hex[:8]}"
    proc = slow_consumer_process(consumer_engine, topic_settings, group)
    try:

        async def some_done() -> bool:
            return await support.effects_count(consumer_engine, accounts) >= 5

        await wait_for(some_done, 60, "the slow consumer to start")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        proc.kill()
        proc.wait()
    consumer = kafka_consumer(consumer_engine, topic_settings, group=group)
    async with running(consumer):
        await consumed_all(consumer_engine, ledger_client, accounts)
    await no_dead_letters(consumer)


class TwiceSource:
    """Delivers every batch twice (and each event twice inside it)."""

    def __init__(self, inner: HttpFeedSource) -> None:
        self.inner = inner
        self.kind = inner.kind
        self._again: list[LedgerEvent] | None = None

    async def open(self, *, after: int, from_beginning: bool = False) -> None:
        await self.inner.open(after=after, from_beginning=from_beginning)

    async def fetch(self, max_events: int, wait: float) -> list[LedgerEvent]:
        if self._again is not None:
            batch, self._again = self._again, None
            return batch
        events = await self.inner.fetch(max_events, wait)
        doubled = [e for event in events for e in (event, event)]
        self._again = doubled or None
        return doubled

    async def ack(self, events: Sequence[LedgerEvent]) -> None:
        await self.inner.ack(events)

    async def rewind(self) -> None:
        self._again = None
        await self.inner.rewind()

    async def close(self) -> None:
        await self.inner.close()

    def lag(self) -> int | None:
        return self.inner.lag()

    async def caught_up(self) -> bool:
        return self._again is None and await self.inner.caught_up()


async def test_every_event_delivered_twice_has_one_effect(
    ledger_client: httpx.AsyncClient,
    consumer_engine: AsyncEngine,
) -> None:
    accounts = support.new_accounts(2, "twice")
    await open_all(ledger_client, accounts)
    await post_concurrently(ledger_client, accounts, 3)
    source = TwiceSource(HttpFeedSource("http://ledger", client=ledger_client))
    consumer = Consumer("test", consumer_engine, support.handle, source, poll_wait=0)
    await follow(consumer)
    await consumed_all(consumer_engine, ledger_client, accounts, seconds=5)
    status = consumer.status()
    assert status.duplicates == 3 * status.processed
    await no_dead_letters(consumer)


async def test_http_feed_gives_the_same_state_as_kafka_and_replay_rebuilds_it(
    stream_ledger: Ledger,
    ledger_client: httpx.AsyncClient,
    topic_settings: Settings,
    consumer_engine: AsyncEngine,
    make_database: Callable[..., str],
) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    accounts = support.new_accounts(3, "same")
    await open_all(ledger_client, accounts)
    await post_concurrently(ledger_client, accounts, 3)
    relay = fast_relay(stream_ledger, topic_settings)
    feed_engine = create_async_engine(make_database("consumer"), pool_size=2)
    try:
        await support.create_schema(feed_engine)
        via_kafka = kafka_consumer(consumer_engine, topic_settings)
        via_feed = feed_consumer(feed_engine, ledger_client)
        async with running(relay, via_kafka, via_feed):
            await consumed_all(consumer_engine, ledger_client, accounts)
            await consumed_all(feed_engine, ledger_client, accounts)
        assert await support.totals(feed_engine, accounts) == await support.totals(
            consumer_engine, accounts
        )
        live = await support.totals(feed_engine, accounts)
        handled = await replay(
            feed_consumer(feed_engine, ledger_client), support.reset, max_seconds=60
        )
        assert handled >= sum(t[0] for t in live.values())
        assert await support.totals(feed_engine, accounts) == live
    finally:
        await feed_engine.dispose()


async def test_a_failing_event_is_dead_lettered_and_retried(
    ledger_client: httpx.AsyncClient,
    consumer_engine: AsyncEngine,
) -> None:
    [account] = support.new_accounts(1, "poison")
    await support.open_account(ledger_client, account)
    await support.activity(ledger_client, account, 2)
    broken = {"INV-0"}

    async def handle(conn: object, event: LedgerEvent) -> None:
        poison = event.type == "InvoiceIssued" and event.data["invoice_id"] in broken
        if event.account_id == account and poison:
            raise ValueError("cannot handle this invoice")
        if event.account_id == account:
            await conn.execute(  # type: ignore[attr-defined]
                text("INSERT INTO effects VALUES (:e, :a, :v)"),
                {"e": event.event_id, "a": event.account_id, "v": event.version},
            )

    source = HttpFeedSource("http://ledger", client=ledger_client)
    consumer = Consumer("poison", consumer_engine, handle, source, poll_wait=0)
    await follow(consumer)
    letters = await consumer.dead_letters()
    assert [(d.event.account_id, d.event.version) for d in letters] == [(account, 2)]
    assert "cannot handle this invoice" in letters[0].error
    assert consumer.status().dead_letters == 1
    total = (await support.ledger_truth(ledger_client, [account]))[account][0]
    assert await support.effects_count(consumer_engine, [account]) == total - 1  # went on
    broken.clear()  # "the fix is deployed"
    assert await consumer.retry_dead_letter(letters[0].event.event_id)
    assert await consumer.dead_letters() == []
    assert consumer.status().dead_letters == 0
    assert await support.effects_count(consumer_engine, [account]) == total


@pytest.fixture(autouse=True)
def _quiet_kafka_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("CRITICAL", logger="aiokafka")


async def test_http_feed_reports_lag_in_events(ledger_client: httpx.AsyncClient) -> None:
    [account] = support.new_accounts(1, "lag")
    await support.open_account(ledger_client, account)
    await support.activity(ledger_client, account, 1)
    source = HttpFeedSource("http://ledger", client=ledger_client)
    await source.open(after=0)
    page = await source.fetch(2, 0)
    everything = (await ledger_client.get("/v1/events", params={"limit": 5000})).json()
    total = len(everything["events"]) + everything["behind"]  # listed, and held back
    assert len(page) == 2
    assert source.lag() == total - 2
    assert not await source.caught_up()


async def test_ledger_serve_runs_the_relay_when_kafka_is_configured(
    stream_ledger: Ledger,
    topic_settings: Settings,
    consumer_engine: AsyncEngine,
) -> None:
    from dataclasses import replace

    from ledger.adapters.http.app import create_app
    from servicekit.auth import ADMIN

    from ..conftest import IDENTITY

    settings = topic_settings.model_copy(update={"relay_in_serve": True})
    app = create_app(replace(stream_ledger, settings=settings))
    accounts = support.new_accounts(1, "serve")
    consumer = kafka_consumer(consumer_engine, settings)
    async with app.router.lifespan_context(app), running(consumer):
        transport = httpx.ASGITransport(app=app)
        headers = IDENTITY.headers(ADMIN, subject="e2e")
        async with httpx.AsyncClient(
            transport=transport, base_url="http://ledger", headers=headers
        ) as client:
            await open_all(client, accounts)
            await support.activity(client, accounts[0], 2)
            await consumed_all(consumer_engine, client, accounts)
            ready = (await client.get("/readyz")).json()
            assert ready["relay"]["active"] is True
            metrics = (await client.get("/metrics")).text
            assert "ledger_relay_published_total" in metrics


async def test_two_members_of_a_consumer_group_share_the_work(
    stream_ledger: Ledger,
    ledger_client: httpx.AsyncClient,
    topic_settings: Settings,
    consumer_engine: AsyncEngine,
) -> None:
    accounts = support.new_accounts(6, "group")
    relay = fast_relay(stream_ledger, topic_settings)
    group = f"test-{uuid.uuid4().hex[:8]}"
    first = kafka_consumer(consumer_engine, topic_settings, group=group)
    second = kafka_consumer(consumer_engine, topic_settings, group=group)
    async with running(relay, first):
        await open_all(ledger_client, accounts)
        await post_concurrently(ledger_client, accounts, 2)
        async with running(second):  # joins: the group rebalances mid-stream
            await post_concurrently(ledger_client, accounts, 2, start=2)
            await consumed_all(consumer_engine, ledger_client, accounts)
    await no_dead_letters(first)

"""The relay: publishes committed events to Kafka in global position order, at least once.

Loop: read the next batch after the checkpoint with the gap-safe ``read_all`` (never past a
running writer), send every event (key = account id, CloudEvents binary envelope, see
``contracts/README.md``), wait until the broker acknowledged all of them, then move the
checkpoint in the ledger database. A crash between the acknowledgement and the checkpoint
resends the batch (duplicates, never gaps); consumers deduplicate by event id / stream
version. When the broker is unreachable the relay logs, backs off and retries the same batch
while the ledger keeps accepting commands. Only one relay per database publishes at a time
(a PostgreSQL advisory lock), so ``ledger relay`` and the task in ``ledger serve`` may both run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiokafka import AIOKafkaProducer
from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from eventfeed.consumer import Backoff
from eventfeed.envelope import LEDGER_SOURCE, headers_list, key_bytes, to_kafka
from eventfeed.event import LedgerEvent
from eventfeed.outbox import start_producer
from ledger.adapters.postgres import event_store
from ledger.adapters.postgres import relay_checkpoint as checkpoint
from ledger.application.published import event_view
from ledger.application.records import StoredEvent
from ledger.domain.events import EVENT_TYPES
from ledger.settings import Settings

log = logging.getLogger(__name__)

ProducerFactory = Callable[[], AIOKafkaProducer]


class RelayMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.published = Counter(
            "ledger_relay_published_total", "Events published to Kafka", registry=r
        )
        self.failures = Counter(
            "ledger_relay_failures_total",
            "Publish attempts that failed and were retried",
            registry=r,
        )
        self.lag = Gauge(
            "ledger_relay_lag_events", "Committed events not yet published", registry=r
        )
        self.position = Gauge(
            "ledger_relay_position", "Global position of the last published event", registry=r
        )
        self.up = Gauge(
            "ledger_relay_active",
            "1 while this process holds the relay lock and publishes",
            registry=r,
        )


def as_published(stored: StoredEvent) -> LedgerEvent:
    """The event as the feed shows it (``event_view``); a row stored at the current schema
    version is published as stored, an older one is upcast first."""
    current = EVENT_TYPES.get(stored.event_type)
    if current is None or current.schema_version != stored.schema_version:
        return LedgerEvent.from_feed(event_view(stored))
    return LedgerEvent(
        position=stored.position,
        account_id=stored.stream_id,
        version=stored.version,
        event_id=stored.event_id,
        type=stored.event_type,
        schema_version=stored.schema_version,
        data=stored.data,
        effective_date=stored.effective_date,
        recorded_at=stored.recorded_at,
        actor=stored.actor,
        correlation_id=stored.correlation_id,
        causation_id=stored.causation_id,
    )


def published_message(stored: StoredEvent) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
    """(key, value, headers) of one stored event in the CloudEvents envelope."""
    message = to_kafka(as_published(stored), LEDGER_SOURCE)
    return key_bytes(message), message.value, headers_list(message)


class Relay:
    def __init__(
        self,
        engine: AsyncEngine,
        settings: Settings,
        *,
        name: str = "kafka",
        metrics: RelayMetrics | None = None,
        producer_factory: ProducerFactory | None = None,
        poll_interval: float = 0.05,
        lag_interval: float = 1.0,
        backoff: Backoff | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.name = name
        self.topic = settings.kafka_topic
        self.batch_size = settings.relay_batch_size
        self.metrics = metrics or RelayMetrics()
        self.poll_interval = poll_interval
        self.lag_interval = lag_interval
        self.backoff = backoff or Backoff(initial=0.2, maximum=5.0)
        self.position = 0
        self.published = 0
        self.last_error: str | None = None
        self._producer_factory = producer_factory or self._default_producer
        self._producer: AIOKafkaProducer | None = None
        self._lock: AsyncConnection | None = None
        self._lock_checked = 0.0
        self._lag_measured = 0.0
        self._stopping = False
        self._loaded = False

    def _default_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            client_id=f"ledger-relay-{self.name}",
            enable_idempotence=self.settings.kafka_idempotent_producer,
            acks="all",
            linger_ms=5,
            max_batch_size=512 * 1024,
            request_timeout_ms=10_000,
        )

    # --- the loop ------------------------------------------------------------------------

    async def run(self) -> None:
        """Publish until :meth:`stop` or cancellation; never gives up on errors."""
        self._stopping = False
        try:
            while not self._stopping:
                try:
                    if not await self._hold_lock():
                        await asyncio.sleep(1.0)
                        continue
                    sent = await self.step()
                    self.backoff.reset()
                    self.last_error = None
                    if sent == 0:
                        await asyncio.sleep(self.poll_interval)
                except asyncio.CancelledError:
                    raise
                except Exception as e:  # broker or database down: retry the same batch
                    self.metrics.failures.inc()
                    self.last_error = f"{type(e).__name__}: {e}"
                    delay = self.backoff.next()
                    log.warning("relay: %s; retrying in %.1fs", self.last_error, delay)
                    await self._close_producer()
                    await asyncio.sleep(delay)
        finally:
            await self.close()

    def stop(self) -> None:
        self._stopping = True

    async def step(self) -> int:
        """Publish the next batch after the checkpoint; return how many events were sent."""
        async with self.engine.connect() as conn:
            if not self._loaded:
                async with conn.begin():
                    self.position = await checkpoint.load(conn, self.name)
                self._loaded = True
            stored = await event_store.read_all(conn, after=self.position, limit=self.batch_size)
            await conn.rollback()
            await self._measure_lag(conn, stored)
        if not stored:
            return 0
        producer = await self._producer_started()
        futures = []
        for s in stored:
            key, value, headers = published_message(s)
            futures.append(await producer.send(self.topic, value=value, key=key, headers=headers))
        await asyncio.gather(*futures)
        last = stored[-1].position
        async with self.engine.begin() as conn:
            await checkpoint.save(conn, self.name, last, len(stored))
        self.position = last
        self.published += len(stored)
        if len(stored) < self.batch_size:
            self.metrics.lag.set(0)
        self.metrics.published.inc(len(stored))
        self.metrics.position.set(last)
        return len(stored)

    async def _measure_lag(self, conn: AsyncConnection, batch: list[StoredEvent]) -> None:
        now = time.monotonic()
        if batch and len(batch) < self.batch_size:
            self.metrics.lag.set(len(batch))
            return
        if not batch:
            self.metrics.lag.set(0)
            return
        if now - self._lag_measured >= self.lag_interval:
            self._lag_measured = now
            self.metrics.lag.set(await checkpoint.events_behind(conn, self.position))
            await conn.rollback()

    async def _producer_started(self) -> AIOKafkaProducer:
        if self._producer is None:
            self._producer = await start_producer(self._producer_factory())
            log.info("relay: connected to Kafka, topic %s", self.topic)
        return self._producer

    async def _hold_lock(self) -> bool:
        """Hold the advisory lock on a dedicated connection, re-checked every few seconds."""
        now = time.monotonic()
        if self._lock is not None and now - self._lock_checked < 5.0:
            return True
        if self._lock is not None:
            try:
                await self._lock.execute(text("SELECT 1"))  # the session, and its lock, live
                await self._lock.commit()
                self._lock_checked = now
                return True
            except Exception:
                log.warning("relay: lost the lock connection")
                await self._release_lock()
        conn = await self.engine.connect()
        try:
            got = await checkpoint.try_lock(conn, self.name)
            await conn.commit()
        except BaseException:
            await conn.close()
            raise
        if not got:
            await conn.close()
            self.metrics.up.set(0)
            return False
        self._lock, self._lock_checked = conn, now
        self._loaded = False  # reload: another relay may have moved it
        self.metrics.up.set(1)
        log.info("relay %s: active", self.name)
        return True

    async def _release_lock(self) -> None:
        conn, self._lock = self._lock, None
        self.metrics.up.set(0)
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.invalidate()  # closes the session: the advisory lock goes with it
            with contextlib.suppress(Exception):
                await conn.close()

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:  # stop() waits for sends in flight: at most the request timeout
                await asyncio.wait_for(producer.stop(), timeout=30)
            except Exception as e:
                log.warning("relay: closing the producer failed: %s", e)

    async def close(self) -> None:
        await self._close_producer()
        await self._release_lock()

    def status(self) -> dict[str, Any]:
        return {
            "active": self._lock is not None,
            "position": self.position,
            "published": self.published,
            "last_error": self.last_error,
        }


@contextlib.asynccontextmanager
async def relay_task(
    engine: AsyncEngine, settings: Settings, registry: CollectorRegistry | None = None
) -> AsyncIterator[Relay | None]:
    """Run the relay as a background task while the block runs (``ledger serve``), when
    Kafka is configured and ``relay_in_serve`` is on; yields the relay or None."""
    if not (settings.kafka_bootstrap_servers and settings.relay_in_serve):
        yield None
        return
    relay = Relay(engine, settings, metrics=RelayMetrics(registry))
    task = asyncio.create_task(relay.run(), name="ledger-relay")
    try:
        yield relay
    finally:
        relay.stop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

"""Consume the ledger topic with an aiokafka consumer group (partitions by account id)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError

from eventfeed.envelope import EnvelopeError, from_kafka
from eventfeed.event import LedgerEvent

log = logging.getLogger(__name__)

LEDGER_TOPIC = "receivables.ledger.v1"


class KafkaSource:
    """A member of consumer group ``group_id`` on ``topic``; offsets are committed to Kafka
    only after the consumer's database transaction committed (at least once).

    ``group_id=None`` reads every partition without a group (for replays and tools).
    Messages that are not a valid envelope are logged, counted in ``invalid`` and skipped.
    """

    kind = "kafka"

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        group_id: str | None,
        topic: str = LEDGER_TOPIC,
        client_id: str = "eventfeed",
        fetch_max_wait_ms: int = 100,
        **consumer_options: Any,
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.group_id = group_id
        self.topic = topic
        self.client_id = client_id
        self.invalid = 0
        # A broker without fetch wake-up (Tansu) holds every fetch this long.
        self._options = {"fetch_max_wait_ms": fetch_max_wait_ms, **consumer_options}
        self._consumer: AIOKafkaConsumer | None = None
        self._fetched: dict[TopicPartition, int] = {}  # next offset after what was fetched
        self._acked: dict[TopicPartition, int] = {}
        self._lag: int | None = None
        self._end: dict[TopicPartition, int] | None = None
        self._from_beginning = False

    async def open(self, *, after: int, from_beginning: bool = False) -> None:
        self._from_beginning = from_beginning
        if self._consumer is not None:
            return
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.group_id,
            client_id=self.client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **self._options,
        )
        await consumer.start()
        try:
            if self.group_id is None:
                partitions = await self._partitions(consumer)
                consumer.assign(partitions)
                await consumer.seek_to_beginning(*partitions)
            else:
                consumer.subscribe([self.topic])
        except BaseException:
            await consumer.stop()
            raise
        self._consumer = consumer

    async def _partitions(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        ids = consumer.partitions_for_topic(self.topic)
        if not ids:
            await consumer._client.force_metadata_update()  # creates the topic on Tansu
            ids = consumer.partitions_for_topic(self.topic) or {0}
        return [TopicPartition(self.topic, p) for p in sorted(ids)]

    async def fetch(self, max_events: int, wait: float) -> list[LedgerEvent]:
        consumer = self._require()
        batches = await consumer.getmany(timeout_ms=int(wait * 1000), max_records=max_events)
        events: list[LedgerEvent] = []
        for tp, records in batches.items():
            for record in records:
                try:
                    events.append(from_kafka(record.key, record.value, record.headers))
                except EnvelopeError as e:
                    self.invalid += 1
                    log.error("skipping %s[%d]@%d: %s", tp.topic, tp.partition, record.offset, e)
            if records:
                self._fetched[tp] = records[-1].offset + 1
        await self._measure_lag(consumer)
        return events

    async def _measure_lag(self, consumer: AIOKafkaConsumer) -> None:
        """Events behind the head; and a partition whose log now ends below our position
        (the topic was recreated, or an unclean leader election truncated it) is read again
        from its start: what was lost behind us comes back, duplicates are harmless."""
        lag = 0
        known = False
        for tp in consumer.assignment():
            high = consumer.highwater(tp)
            if high is None:
                continue
            known = True
            position = await consumer.position(tp)
            if position > high:
                log.warning(
                    "%s[%d]: log ends at %d, below our position %d: reading it from the start",
                    tp.topic,
                    tp.partition,
                    high,
                    position,
                )
                await consumer.seek_to_beginning(tp)
                self._fetched.pop(tp, None)
                self._acked.pop(tp, None)
                position = 0
            lag += max(0, high - self._fetched.get(tp, position))
        self._lag = lag if known else self._lag

    async def ack(self, events: Sequence[LedgerEvent]) -> None:
        consumer = self._require()
        assigned = consumer.assignment()
        for stale in [tp for tp in self._fetched if tp not in assigned]:  # revoked
            self._fetched.pop(stale, None)
            self._acked.pop(stale, None)
        offsets = {tp: o for tp, o in self._fetched.items() if self._acked.get(tp) != o}
        if not offsets:
            return
        if self.group_id is not None:
            try:
                await consumer.commit(offsets)
            except (CommitFailedError, IllegalStateError) as e:
                # rebalanced meanwhile: the partition's new owner redelivers, deduplicated
                log.warning("offset commit failed after a rebalance: %s", e)
                return
        self._acked.update(offsets)

    async def rewind(self) -> None:
        consumer = self._consumer
        if consumer is None:
            return
        self._fetched = dict(self._acked)
        try:
            if self.group_id is not None:
                await consumer.seek_to_committed()
            for tp in consumer.assignment():
                if tp in self._acked:
                    consumer.seek(tp, self._acked[tp])
                elif self.group_id is None:
                    await consumer.seek_to_beginning(tp)
        except (KafkaError, AssertionError, ValueError) as e:
            log.warning("rewind failed, reopening: %s", e)
            await self.close()

    async def close(self) -> None:
        consumer, self._consumer = self._consumer, None
        self._fetched.clear()
        self._acked.clear()
        if consumer is not None:
            await consumer.stop()

    def lag(self) -> int | None:
        return self._lag

    async def caught_up(self) -> bool:
        consumer = self._consumer
        if consumer is None or not consumer.assignment():
            return False
        assigned = sorted(consumer.assignment())
        if self._end is None or set(self._end) != set(assigned):
            self._end = await consumer.end_offsets(assigned)
        for tp, end in self._end.items():
            if self._fetched.get(tp, await consumer.position(tp)) < end:
                return False
            if self._acked.get(tp, 0) < self._fetched.get(tp, 0):
                return False
        return True

    async def head(self) -> dict[TopicPartition, int]:
        """The end offsets of the partitions this member reads, now."""
        consumer = self._require()
        assigned = sorted(consumer.assignment())
        if not assigned:
            raise RuntimeError("no partitions assigned yet")
        return dict(await consumer.end_offsets(assigned))

    async def reached(self, head: object) -> bool:
        assert isinstance(head, dict)
        consumer = self._require()
        for tp, end in head.items():
            if tp not in consumer.assignment():
                return False  # rebalanced away: its new owner's to read
            done = self._acked.get(tp)
            if done is None:  # nothing acked here: where the group stood, unless fetched since
                done = -1 if tp in self._fetched else await consumer.position(tp)
            if done < end:
                return False
        return True

    def _require(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            raise RuntimeError("KafkaSource.open() first")
        return self._consumer

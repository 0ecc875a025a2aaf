"""Rebuild a consumer's state from position 0."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from eventfeed import store
from eventfeed.consumer import Consumer

Reset = Callable[[AsyncConnection], Awaitable[None]]
"""``async def reset(conn)``: delete the service's state derived from events (same transaction
as the framework forgetting what it processed)."""


async def replay(consumer: Consumer, reset: Reset, *, max_seconds: float | None = None) -> int:
    """Reset the state and the framework's rows, then consume from the first event until
    caught up; return the number of events handled.

    Use an :class:`~eventfeed.HttpFeedSource` (the ledger keeps every event; a Kafka topic
    only what its retention kept) or a ``KafkaSource(group_id=None)``. Stop the live
    consumer first; if it keeps running, redeliveries are still deduplicated.
    """
    async with consumer.engine.begin() as conn:
        await reset(conn)
        await store.reset(conn, consumer.tables, consumer.name)
    return await consumer.run_until_caught_up(max_seconds=max_seconds)

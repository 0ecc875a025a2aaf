"""For tests: follow a consumer to the head of its feed for as long as it makes progress.

A flat timeout on :meth:`~eventfeed.Consumer.run_until_caught_up` fails a healthy consumer on
a loaded machine (a batch takes longer, the feed holds events back behind an open
transaction). :func:`follow` keeps consuming while anything moves -- the position, the
events processed or dead-lettered, a smaller lag -- and fails, saying where the consumer
stands, only when nothing has moved for ``stalled_after`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from eventfeed.consumer import Consumer, ConsumerStatus

STALLED_AFTER = 120.0
"""Seconds without any progress after which :func:`follow` gives up."""


def _moved(before: ConsumerStatus, now: ConsumerStatus) -> bool:
    counters = ("position", "processed", "duplicates", "dead_letters", "gaps")
    if any(getattr(before, c) != getattr(now, c) for c in counters):
        return True
    return before.lag is not None and now.lag is not None and now.lag < before.lag


async def follow(
    consumer: Consumer, *, stalled_after: float = STALLED_AFTER, slice_seconds: float = 5.0
) -> int:
    """Consume until every event published so far is processed and the source holds none
    back (its lag is 0 or unknown); return the events handled. Raises AssertionError when
    the consumer made no progress for ``stalled_after`` seconds."""
    start = consumer.status().processed
    last = consumer.status()
    moved_at = time.monotonic()
    while True:
        with contextlib.suppress(TimeoutError):  # this slice's time is up: look for progress
            await consumer.run_until_caught_up(max_seconds=slice_seconds)
            if not consumer.source.lag():
                return consumer.status().processed - start
        now = consumer.status()
        if _moved(last, now):
            last, moved_at = now, time.monotonic()
        elif time.monotonic() - moved_at > stalled_after:
            why = f", last error: {now.last_error}" if now.last_error else ""
            raise AssertionError(
                f"consumer {now.name} made no progress for {stalled_after:g}s (state "
                f"{now.state}, position {now.position}, {now.lag} events behind{why})"
            )
        await asyncio.sleep(0.1)

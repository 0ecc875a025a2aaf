"""Helpers for tests that run background workers (a relay, consumers) against the devstack.

``running(*workers)``
    An async context manager: each worker's ``run()`` is a task for the duration of the
    block; on exit every worker is asked to ``stop()`` and its task is cancelled and awaited.
``wait_for(check, seconds, what, progress=...)``
    Polls an async condition until it holds, or fails the test naming ``what``: after
    ``seconds``, or, given ``progress`` (a snapshot of the work, sync or async), after
    ``seconds`` in which the snapshot did not change -- a loaded machine is slow, not stuck.
``read_topic(bootstrap_servers, topic, count, keep=...)``
    The first ``count`` records of a Kafka topic (those ``keep`` accepts), read from its
    start without a consumer group, or fails the test after ``seconds`` without a record.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol


class Worker(Protocol):
    """Anything that runs until stopped: ``ledger``'s ``Relay``, ``eventfeed``'s ``Consumer``."""

    async def run(self) -> None: ...

    def stop(self) -> None: ...


@contextlib.asynccontextmanager
async def running(*workers: Worker) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(w.run()) for w in workers]
    try:
        yield
    finally:
        for w in workers:
            w.stop()
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t


async def wait_for(
    check: Callable[[], Awaitable[bool]],
    seconds: float = 60,
    what: str = "condition",
    *,
    progress: Callable[[], object] | None = None,
) -> None:
    async def snapshot() -> object:
        taken = progress() if progress is not None else None
        return await taken if inspect.isawaitable(taken) else taken

    last = await snapshot()
    deadline = time.monotonic() + seconds
    while not await check():
        now = await snapshot()
        if now != last:
            last, deadline = now, time.monotonic() + seconds
        elif time.monotonic() > deadline:
            idle = f" ({seconds:g}s without progress, at {now!r})" if progress else ""
            raise AssertionError(f"timed out waiting for {what}{idle}")
        await asyncio.sleep(0.1)


async def read_topic(
    bootstrap_servers: str,
    topic: str,
    count: int,
    *,
    keep: Callable[[Any], bool] = lambda record: True,
    seconds: float = 20,
) -> list[Any]:
    """Records (aiokafka's ``ConsumerRecord``: ``key``, ``value``, ``headers``) in offset
    order per partition; stops at ``count`` (there may be more on the topic)."""
    from aiokafka import AIOKafkaConsumer  # only tests with a broker need it

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    got: list[Any] = []
    try:
        deadline = time.monotonic() + seconds
        while len(got) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(got)} of {count} records on {topic}, none for {seconds}s"
                )
            batch = await consumer.getmany(timeout_ms=500)
            if batch:  # records keep coming: a loaded broker is slow, not stuck
                deadline = time.monotonic() + seconds
            for records in batch.values():
                got += [r for r in records if keep(r)]
    finally:
        await consumer.stop()
    return got

"""Helpers for tests that run background workers (a relay, consumers) against the devstack.

``running(*workers)``
    An async context manager: each worker's ``run()`` is a task for the duration of the
    block; on exit every worker is asked to ``stop()`` and its task is cancelled and awaited.
``wait_for(check, seconds, what)``
    Polls an async condition until it holds, or fails the test naming ``what``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol


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
    check: Callable[[], Awaitable[bool]], seconds: float = 60, what: str = "condition"
) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)

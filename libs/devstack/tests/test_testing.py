"""``devstack.testing.wait_for``: with a measure of progress it waits while the work moves."""

from __future__ import annotations

import time

import pytest

from devstack.testing import wait_for


async def test_a_condition_reached_slowly_but_steadily_is_waited_for() -> None:
    start = time.monotonic()

    def steps() -> int:  # moves every 0.2 s: never 0.5 s without progress
        return int((time.monotonic() - start) / 0.2)

    async def done() -> bool:
        return steps() >= 8  # 1.6 s: far past the 0.5 s a flat wait would allow

    await wait_for(done, 0.5, "the steps", progress=steps)


async def test_no_progress_fails_naming_what_and_where_it_stopped() -> None:
    async def never() -> bool:
        return False

    async def stuck() -> int:
        return 3

    with pytest.raises(AssertionError, match=r"the steps \(0.5s without progress, at 3\)"):
        await wait_for(never, 0.5, "the steps", progress=stuck)

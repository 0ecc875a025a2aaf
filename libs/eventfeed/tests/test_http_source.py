"""The HTTP feed source can be opened again after it was closed (a consumer closes its
source after each catch-up; the next settlement catches up again with the same one)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from eventfeed import HttpFeedSource
from servicekit.apitest import serving


def _feed(held: list[int] | None = None) -> FastAPI:
    """A feed with no events to show; ``held``: how many it holds back, per request."""
    app = FastAPI()
    counts = iter(held or [])

    @app.get("/v1/events")
    async def events(after: int = 0) -> dict[str, Any]:
        return {"events": [], "next_after": after, "behind": next(counts, 0)}

    return app


async def test_a_closed_source_with_its_own_client_works_again() -> None:
    with serving(_feed) as url:
        source = HttpFeedSource(url)
        for _ in range(2):
            await source.open(after=0)
            assert await source.fetch(10, 0) == []
            assert await source.caught_up()
            await source.close()


async def test_events_held_back_behind_a_running_transaction_are_not_caught_up() -> None:
    """The feed shows nothing yet, but says it holds committed events back: a consumer
    that stopped there would miss them."""
    with serving(lambda: _feed(held=[3, 3])) as url:
        source = HttpFeedSource(url)
        await source.open(after=0)
        assert await source.fetch(10, 0) == []
        assert not await source.caught_up()
        assert await source.caught_up()  # the transaction ended: nothing held any more
        await source.close()

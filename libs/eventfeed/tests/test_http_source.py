"""The HTTP feed source can be opened again after it was closed (a consumer closes its
source after each catch-up; the next settlement catches up again with the same one)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from eventfeed import HttpFeedSource
from servicekit.apitest import serving


def _feed() -> FastAPI:
    app = FastAPI()

    @app.get("/v1/events")
    async def events(after: int = 0) -> dict[str, Any]:
        return {"events": [], "next_after": after, "behind": 0}

    return app


async def test_a_closed_source_with_its_own_client_works_again() -> None:
    with serving(_feed) as url:
        source = HttpFeedSource(url)
        for _ in range(2):
            await source.open(after=0)
            assert await source.fetch(10, 0) == []
            assert await source.caught_up()
            await source.close()

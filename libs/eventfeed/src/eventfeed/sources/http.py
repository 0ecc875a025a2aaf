"""Follow the ledger's HTTP feed ``GET /v1/events?after=&limit=&wait=`` (long-poll)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import httpx

from eventfeed.event import LedgerEvent

HEAD_PAGE = 5000  # the feed's largest page


class HttpFeedSource:
    """Reads the feed in global position order; the cursor is the consumer's checkpoint.

    ``client``: an ``httpx.AsyncClient`` to use (tests pass one with an ASGI transport);
    by default one is made for ``base_url``, sending ``headers`` (the caller's credential).
    """

    kind = "http"

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        *,
        client: httpx.AsyncClient | None = None,
        request_timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._own_client = client is None
        self._headers = dict(headers or {})
        self._client = client or httpx.AsyncClient(base_url=self.base_url, headers=self._headers)
        self._request_timeout = request_timeout
        self._cursor = 0
        self._acked = 0
        self._lag: int | None = None
        self._at_head = False

    def _http(self) -> httpx.AsyncClient:
        """The client; one of our own is made again after :meth:`close` (a consumer closes
        its source after each catch-up, and may open it again)."""
        if self._own_client and self._client.is_closed:
            self._client = httpx.AsyncClient(base_url=self.base_url, headers=self._headers)
        return self._client

    async def open(self, *, after: int, from_beginning: bool = False) -> None:
        self._cursor = self._acked = 0 if from_beginning else after

    async def fetch(self, max_events: int, wait: float) -> list[LedgerEvent]:
        response = await self._http().get(
            f"{self.base_url}/v1/events",
            params={"after": self._cursor, "limit": max_events, "wait": wait},
            timeout=wait + self._request_timeout,
        )
        response.raise_for_status()
        body = response.json()
        events = [LedgerEvent.from_feed(e) for e in body["events"]]
        self._cursor = int(body.get("next_after", self._cursor))
        full = len(events) >= max_events
        self._at_head = not full
        behind = body.get("behind")
        self._lag = int(behind) if behind is not None else (None if full else 0)
        return events

    async def ack(self, events: Sequence[LedgerEvent]) -> None:
        if events:
            self._acked = max(self._acked, events[-1].position)

    async def rewind(self) -> None:
        self._cursor = self._acked

    async def close(self) -> None:
        if self._own_client:
            await self._client.aclose()

    def lag(self) -> int | None:
        return self._lag

    async def head(self) -> int:
        """The position of the newest event the feed holds now: read through from what is
        acked (one request when the consumer is close behind), waiting for events held
        back behind an older transaction still running."""
        after = self._acked
        while True:
            response = await self._http().get(
                f"{self.base_url}/v1/events",
                params={"after": after, "limit": HEAD_PAGE, "wait": 0},
                timeout=self._request_timeout,
            )
            response.raise_for_status()
            body = response.json()
            after = int(body.get("next_after", after))
            if not body.get("behind"):
                return after
            if not body["events"]:
                await asyncio.sleep(0.05)  # only events held back: wait for them

    async def reached(self, head: object) -> bool:
        assert isinstance(head, int)
        return self._acked >= head

    async def caught_up(self) -> bool:
        """At the head as of now: everything fetched is acked, and the feed has nothing after
        it (asked afresh, so an event published since the last long-poll counts) -- nor
        holds back any committed event behind an older transaction still running."""
        if not (self._at_head and self._cursor == self._acked):
            return False
        response = await self._http().get(
            f"{self.base_url}/v1/events",
            params={"after": self._acked, "limit": 1, "wait": 0},
            timeout=self._request_timeout,
        )
        response.raise_for_status()
        body = response.json()
        return not body["events"] and not body.get("behind")

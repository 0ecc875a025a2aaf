"""The part of calling the ledger's HTTP API that every calling service shares.

A service's ledger adapter (billing's, dunning's, cash's) subclasses :class:`LedgerClient`
and adds the calls it makes, mapping the ledger's answers to its own errors. The base holds
the ledger's URL, the service's credential (``Settings.ledger_headers()``: a bearer token
or an API key) and an ``httpx.AsyncClient``: one of its own, closed by :meth:`close`, or
one it is handed (tests pass one on the ledger's ASGI app), left to its owner.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx


class LedgerClient:
    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.AsyncClient | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._own = client is None
        self.client = client or httpx.AsyncClient(
            base_url=self.base_url, timeout=timeout, headers=headers
        )

    async def ping(self) -> bool:
        """Whether the ledger answers its health check (within two seconds)."""
        try:
            r = await self.client.get(f"{self.base_url}/healthz", timeout=2.0)
        except httpx.HTTPError:
            return False
        return r.status_code == 200

    async def close(self) -> None:
        if self._own:
            await self.client.aclose()

"""The ledger's HTTP API as dunning uses it: posting dunning fees as adjustments."""

from __future__ import annotations

from collections.abc import Mapping

import httpx


class LedgerError(Exception):
    """The ledger refused or failed a request in a way a retry may fix."""


class HttpLedger:
    """``client``: an ``httpx.AsyncClient`` (tests pass one on the ledger's ASGI app)."""

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.AsyncClient | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """``headers``: dunning's credential for the ledger (the ledger records its
        subject as the actor of the fees)."""
        self.base_url = base_url.rstrip("/")
        self._own = client is None
        self.client = client or httpx.AsyncClient(
            base_url=self.base_url, timeout=10.0, headers=headers
        )

    async def post_adjustment(self, account_id: str, body: dict[str, object]) -> str:
        r = await self.client.post(
            f"{self.base_url}/v1/accounts/{account_id}/adjustments",
            json=body,
            headers={"Idempotency-Key": str(body["adjustment_id"])},
        )
        if r.status_code in (200, 201):
            return "posted"
        if r.status_code == 409:
            return "conflict"
        if r.status_code in (404, 422):
            return "rejected"
        raise LedgerError(f"ledger answered {r.status_code}: {r.text[:500]}")

    async def ping(self) -> bool:
        try:
            r = await self.client.get(f"{self.base_url}/healthz", timeout=2.0)
        except httpx.HTTPError:
            return False
        return r.status_code == 200

    async def close(self) -> None:
        if self._own:
            await self.client.aclose()

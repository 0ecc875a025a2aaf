"""The ledger's HTTP API as dunning uses it: posting dunning fees as adjustments."""

from __future__ import annotations

from servicekit.ledger_client import LedgerClient


class LedgerError(Exception):
    """The ledger refused or failed a request in a way a retry may fix."""


class HttpLedger(LedgerClient):
    """Dunning's calls; the ledger records the credential's subject as the actor of the
    fees."""

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

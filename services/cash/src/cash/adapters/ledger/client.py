"""The ledger's HTTP API as cash uses it: open items, payments, write-offs, reversals.

Every write carries the id cash derived from the statement line, so a retry after a
timeout is answered by the ledger as a replay. A 4xx refusal is a :class:`PostingRefused`
(the line goes to review with the ledger's reason); anything else is
:class:`LedgerUnavailable` (the line stays to be posted later).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import httpx

from cash.application.ports import PostingRefused
from cash.domain.errors import LedgerUnavailable
from cash.domain.matching import OpenItem
from cash.domain.money import minor_units
from servicekit.ledger_client import LedgerClient


class HttpLedger(LedgerClient):
    """Cash's calls; ``actor``: the name cash records on what it posts."""

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.AsyncClient | None = None,
        actor: str = "cash",
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(base_url, client=client, headers=headers, timeout=timeout)
        self.actor = actor

    async def _call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            r = await self.client.request(method, f"{self.base_url}{path}", **kw)
        except httpx.HTTPError as e:
            raise LedgerUnavailable(f"the ledger did not answer: {e!r}") from None
        if r.status_code >= 500:
            raise LedgerUnavailable(f"the ledger answered {r.status_code}: {r.text[:300]}")
        return r

    async def _write(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = await self._call("POST", path, json=body)
        if r.status_code in (200, 201):
            return dict(r.json())
        try:
            problem = r.json()
            detail = f"{problem.get('rule')}: {problem.get('detail')}"
        except ValueError:
            detail = r.text[:300]
        raise PostingRefused(f"{r.status_code} {detail}")

    async def open_items(self, account_id: str) -> list[OpenItem]:
        items: list[OpenItem] = []
        offset: int | None = 0
        while offset is not None:
            r = await self._call(
                "GET",
                f"/v1/accounts/{account_id}/invoices",
                params={"status": "open", "limit": 1000, "offset": offset},
            )
            if r.status_code == 404:
                return []
            if r.status_code != 200:
                raise LedgerUnavailable(f"open items of {account_id}: {r.status_code}")
            page = r.json()
            for inv in page["invoices"]:
                if inv.get("disputed"):
                    continue  # disputed items are not paid by matching
                items.append(
                    OpenItem(
                        inv["invoice_id"],
                        date.fromisoformat(inv["due_date"]),
                        minor_units(inv["open_amount"], inv["currency"]),
                        inv.get("policy_id"),
                    )
                )
            offset = page.get("next_offset")
        return items

    async def post_payment(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._write(f"/v1/accounts/{account_id}/payments", body)

    async def post_write_off(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._write(f"/v1/accounts/{account_id}/write-offs", body)

    async def suspend(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._write(f"/v1/accounts/{account_id}/suspense", body)

    async def clear_suspense(
        self, account_id: str, payment_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        path = f"/v1/accounts/{account_id}/suspense/{payment_id}/clearances"
        return await self._write(path, body)

    async def reverse_payment(
        self, account_id: str, payment_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        path = f"/v1/accounts/{account_id}/payments/{payment_id}/reversal"
        return await self._write(path, body)

    async def batch(self, commands: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        """Run ``commands`` through ``POST /v1/batches``: a result per command (``status``,
        ``body`` or ``problem``), or None when the ledger takes no batches from cash (no
        such route, or cash lacks the scope): the caller posts one by one instead."""
        r = await self._call("POST", "/v1/batches", json=commands)
        if r.status_code in (401, 403, 404, 405):
            return None
        if r.status_code != 200:
            raise LedgerUnavailable(f"the ledger answered a batch {r.status_code}: {r.text[:300]}")
        return list(r.json()["results"])

"""The ledger's HTTP API, as the console uses it."""

from __future__ import annotations

from datetime import date

from console.adapters.backends.http import JsonApi
from console.application.ports import Credential, Doc, Download


class HttpLedger(JsonApi):
    async def search_accounts(self, query: str, who: Credential, *, limit: int = 50) -> list[Doc]:
        """Accounts whose name or id contains ``query``, any case (the ledger's search)."""
        found = await self.get("/v1/accounts", who, q=query, limit=limit)
        rows: list[Doc] = found.get("accounts", [])
        return rows

    async def account(self, account_id: str, who: Credential) -> Doc:
        return await self.get(f"/v1/accounts/{account_id}", who)

    async def invoices(self, account_id: str, who: Credential, *, status: str = "open") -> Doc:
        return await self.get(f"/v1/accounts/{account_id}/invoices", who, status=status)

    async def balance(self, account_id: str, who: Credential) -> Doc:
        return await self.get(f"/v1/accounts/{account_id}/balance", who)

    async def history(self, account_id: str, who: Credential, *, limit: int = 100) -> Doc:
        """The latest ``limit`` events of the account (the ledger pages by version)."""
        account = await self.account(account_id, who)
        after = max(0, int(account.get("version", 0)) - limit)
        return await self.get(
            f"/v1/accounts/{account_id}/events", who, after_version=after, limit=limit
        )

    async def statement(
        self, account_id: str, who: Credential, *, start: date, end: date, fmt: str = "csv"
    ) -> Download:
        return await self.download(
            f"/v1/accounts/{account_id}/statement",
            who,
            f"statement-{account_id}-{start}-{end}.{fmt}",
            **{"from": start.isoformat(), "to": end.isoformat(), "format": fmt},
        )

    async def aging(
        self,
        who: Credential,
        *,
        as_of: date | None = None,
        currency: str = "",
        jurisdiction: str = "",
    ) -> Doc:
        return await self.get(
            "/v1/reports/aging",
            who,
            as_of=as_of.isoformat() if as_of else None,
            currency=currency,
            jurisdiction=jurisdiction,
        )

    async def aging_file(
        self,
        who: Credential,
        *,
        as_of: date | None = None,
        currency: str = "",
        jurisdiction: str = "",
        fmt: str = "csv",
    ) -> Download:
        return await self.download(
            "/v1/reports/aging",
            who,
            f"aging.{fmt}",
            as_of=as_of.isoformat() if as_of else None,
            currency=currency,
            jurisdiction=jurisdiction,
            format=fmt,
        )

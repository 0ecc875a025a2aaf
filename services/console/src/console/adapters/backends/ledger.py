"""The ledger's HTTP API, as the console uses it."""

from __future__ import annotations

from datetime import date

from console.adapters.backends.http import JsonApi
from console.application.ports import Credential, Doc, Download
from console.domain.errors import BackendRefused, NotFound


class HttpLedger(JsonApi):
    async def search_accounts(self, query: str, who: Credential, *, limit: int = 50) -> list[Doc]:
        """Accounts whose name or id contains ``query`` (case-insensitive).

        Asks the ledger's account search (``GET /v1/accounts?q=``); a ledger without one
        (405/404) is searched through what it does list: the account with that exact id
        and the accounts of the aging report (every account with open items or credit).
        """
        try:
            found = await self.get("/v1/accounts", who, q=query, limit=limit)
        except (BackendRefused, NotFound) as e:
            if getattr(e, "status", 404) not in (404, 405):
                raise
        else:
            rows: list[Doc] = found.get("accounts") or found.get("items") or []
            return rows[:limit]
        return await self._search_without_index(query, who, limit)

    async def _search_without_index(self, query: str, who: Credential, limit: int) -> list[Doc]:
        wanted = query.casefold()
        hits: dict[str, Doc] = {}
        try:
            exact = await self.account(query, who)
            hits[exact["account_id"]] = exact
        except (NotFound, BackendRefused):
            pass
        report = await self.get("/v1/reports/aging", who)
        for row in report.get("accounts", []):
            if wanted in row["name"].casefold() or wanted in row["account_id"].casefold():
                hits.setdefault(row["account_id"], row)
        return sorted(hits.values(), key=lambda a: (a["name"].casefold(), a["account_id"]))[:limit]

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

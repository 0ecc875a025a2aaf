"""The dunning and commission HTTP APIs, as the console uses them."""

from __future__ import annotations

from console.adapters.backends.http import JsonApi
from console.application.ports import Credential, Doc, Download
from console.domain.errors import NotFound


class HttpDunning(JsonApi):
    async def worklist(
        self, who: Credential, *, jurisdiction: str = "", min_level: int = 0, page: int = 1
    ) -> Doc:
        return await self.get(
            "/v1/worklist",
            who,
            jurisdiction=jurisdiction,
            min_level=min_level,
            page=page,
            page_size=50,
        )

    async def account(self, account_id: str, who: Credential) -> Doc | None:
        """Dunning's view of the account; ``None`` when dunning does not know it yet."""
        try:
            return await self.get(f"/v1/accounts/{account_id}/dunning", who)
        except NotFound:
            return None

    async def log_contact(self, account_id: str, body: Doc, who: Credential) -> Doc:
        return await self.post(f"/v1/accounts/{account_id}/contacts", body, who)

    async def promise(self, account_id: str, body: Doc, who: Credential) -> Doc:
        return await self.post(f"/v1/accounts/{account_id}/promises", body, who)


class HttpCommission(JsonApi):
    async def broker(self, broker_id: str, who: Credential) -> Doc:
        return await self.get(f"/v1/brokers/{broker_id}", who)

    async def accruals(self, broker_id: str, who: Credential, *, period: str) -> Doc:
        return await self.get(f"/v1/brokers/{broker_id}/accruals", who, period=period)

    async def statement(self, broker_id: str, period: str, who: Credential) -> Doc | None:
        """The broker's settlement statement of ``period``; ``None`` if not settled."""
        try:
            return await self.get(f"/v1/brokers/{broker_id}/statements/{period}", who)
        except NotFound as e:
            if e.field == "broker_id":
                raise
            return None

    async def statement_file(
        self, broker_id: str, period: str, who: Credential, *, fmt: str
    ) -> Download:
        return await self.download(
            f"/v1/brokers/{broker_id}/statements/{period}",
            who,
            f"commission-{broker_id}-{period}.{fmt}",
            format=fmt,
        )

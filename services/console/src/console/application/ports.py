"""What the console needs from the services behind it. Documents are the services' own
JSON answers (dicts); the adapters turn their refusals into :mod:`console.domain.errors`.

Every call takes the :class:`Credential` of the person using the console, so each backend
sees who asks and can check what they may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

Doc = dict[str, Any]


@dataclass(frozen=True)
class Credential:
    """Who is signed in: a display name (shown on the pages) and, once the services check
    them, an access token (sent as ``Authorization: Bearer``)."""

    name: str = ""
    token: str = ""

    @property
    def signed_in(self) -> bool:
        return bool(self.name)


ANONYMOUS = Credential()


@dataclass(frozen=True)
class Download:
    content: bytes
    media_type: str
    filename: str


class LedgerPort(Protocol):
    async def search_accounts(self, query: str, who: Credential, *, limit: int) -> list[Doc]: ...
    async def account(self, account_id: str, who: Credential) -> Doc: ...
    async def invoices(self, account_id: str, who: Credential, *, status: str) -> Doc: ...
    async def balance(self, account_id: str, who: Credential) -> Doc: ...
    async def history(self, account_id: str, who: Credential, *, limit: int) -> Doc: ...
    async def statement(
        self, account_id: str, who: Credential, *, start: date, end: date, fmt: str
    ) -> Download: ...
    async def aging(
        self, who: Credential, *, as_of: date | None, currency: str, jurisdiction: str
    ) -> Doc: ...
    async def aging_file(
        self, who: Credential, *, as_of: date | None, currency: str, jurisdiction: str, fmt: str
    ) -> Download: ...
    async def ready(self) -> bool: ...


class DunningPort(Protocol):
    async def worklist(
        self, who: Credential, *, jurisdiction: str, min_level: int, page: int
    ) -> Doc: ...
    async def account(self, account_id: str, who: Credential) -> Doc | None: ...
    async def log_contact(self, account_id: str, body: Doc, who: Credential) -> Doc: ...
    async def promise(self, account_id: str, body: Doc, who: Credential) -> Doc: ...
    async def ready(self) -> bool: ...


class CommissionPort(Protocol):
    async def broker(self, broker_id: str, who: Credential) -> Doc: ...
    async def accruals(self, broker_id: str, who: Credential, *, period: str) -> Doc: ...
    async def statement(self, broker_id: str, period: str, who: Credential) -> Doc | None: ...
    async def statement_file(
        self, broker_id: str, period: str, who: Credential, *, fmt: str
    ) -> Download: ...
    async def ready(self) -> bool: ...

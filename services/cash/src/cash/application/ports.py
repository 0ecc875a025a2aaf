"""What the application needs from the outside: the ledger, the store, a name index, a clock.

The store is one unit of work: :meth:`UnitOfWork.__call__` opens a transaction, and
everything done through the :class:`Store` it yields commits together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from cash.application.scope import Scope
from cash.domain.matching import OpenItem
from cash.domain.statement import StatementLine


@dataclass(frozen=True)
class DirectoryAccount:
    """An account as cash knows it from the ledger's events."""

    account_id: str
    name: str
    currency: str
    jurisdiction: str


@dataclass(frozen=True)
class ImportRecord:
    file_id: str
    format: str
    filename: str
    imported_at: datetime
    imported_by: str
    lines: int
    new_lines: int
    partner_id: str | None = None  # the payment partner whose settlement file it is
    jurisdictions: frozenset[str] | None = None  # of its bank accounts; None: not known


@dataclass(frozen=True)
class LineRecord:
    line: StatementLine
    file_id: str
    status: str
    score: int | None = None
    account_id: str | None = None
    postings: list[dict[str, Any]] = field(default_factory=list)
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    suspense: str | None = None  # the ledger holding account it is held on, if any
    jurisdiction: str | None = None  # its bank account's; None: not known


@dataclass(frozen=True)
class Outcome:
    """A line's new status and what goes with it, for writing many at once."""

    line_id: str
    status: str
    at: datetime
    actor: str
    score: int | None = None
    account_id: str | None = None
    postings: list[dict[str, Any]] = field(default_factory=list)
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    suspense: str | None = None


class Store(Protocol):
    async def find_import(self, file_id: str) -> ImportRecord | None: ...
    async def add_import(self, record: ImportRecord, raw: bytes) -> None: ...
    async def set_new_lines(self, file_id: str, count: int) -> None: ...
    async def add_lines(
        self,
        file_id: str,
        lines: Sequence[StatementLine],
        partner_id: str | None = None,
        jurisdictions: Mapping[str, str] | None = None,
    ) -> int: ...
    async def lines(
        self,
        *,
        file_id: str | None = None,
        status: str | None = None,
        limit: int = 1000,
        after: str = "",
        scope: Scope = None,
    ) -> list[LineRecord]: ...
    async def line(self, line_id: str, *, lock: bool = False) -> LineRecord | None: ...
    async def line_by_end_to_end(self, end_to_end_id: str) -> LineRecord | None: ...
    async def set_outcome(
        self,
        line_id: str,
        status: str,
        *,
        at: datetime,
        actor: str,
        score: int | None = None,
        account_id: str | None = None,
        postings: list[dict[str, Any]] | None = None,
        suggestions: list[dict[str, Any]] | None = None,
        note: str = "",
    ) -> None: ...
    async def set_suspense(self, line_id: str, account: str | None) -> None: ...
    async def accounts(self, currency: str) -> list[DirectoryAccount]: ...
    async def account(self, account_id: str) -> DirectoryAccount | None: ...
    async def referenced(self, tokens: Sequence[str]) -> dict[str, set[str]]: ...
    async def segment(self, account_id: str) -> str | None: ...
    async def lock_new(self, line_ids: Sequence[str]) -> set[str]: ...
    async def set_outcomes(self, outcomes: Sequence[Outcome]) -> None: ...


class UnitOfWork(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[Store]: ...


class PostingRefused(Exception):
    """The ledger refused a posting (4xx): the line goes to review with this reason."""


class Ledger(Protocol):
    async def open_items(self, account_id: str) -> list[OpenItem]: ...
    async def post_payment(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]: ...
    async def post_write_off(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]: ...
    async def suspend(self, account_id: str, body: dict[str, Any]) -> dict[str, Any]: ...
    async def clear_suspense(
        self, account_id: str, payment_id: str, body: dict[str, Any]
    ) -> dict[str, Any]: ...
    async def reverse_payment(
        self, account_id: str, payment_id: str, body: dict[str, Any]
    ) -> dict[str, Any]: ...
    async def batch(self, commands: list[dict[str, Any]]) -> list[dict[str, Any]] | None: ...


class NameIndex(Protocol):
    def similar(
        self, name: str, accounts: Sequence[DirectoryAccount], limit: int
    ) -> list[tuple[DirectoryAccount, float]]: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


def business_date(clock: Clock) -> date:
    return clock.now().date()

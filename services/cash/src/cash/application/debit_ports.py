"""What auto-debit needs from the outside: a store of mandates and collection runs (one
transaction per :class:`DebitUnitOfWork` call) and a writer of debit files."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from cash.application.ports import DirectoryAccount
from cash.application.scope import Scope
from cash.domain.collection import Debit
from cash.domain.mandates import Event, Mandate


@dataclass(frozen=True)
class MandateChange:
    """One event of a mandate's history, as it was recorded."""

    version: int
    type: str
    data: dict[str, object]
    actor: str
    reason: str
    recorded_at: datetime


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    collection_date: date
    status: str  # selecting | posting | done
    requested_by: str
    requested_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class ItemRecord:
    debit: Debit
    run_id: str
    status: str  # planned | collected | refused | returned
    note: str = ""
    return_code: str | None = None
    returned_on: date | None = None
    jurisdiction: str | None = None  # its mandate's


@dataclass(frozen=True)
class DebitFile:
    name: str
    media_type: str
    content: bytes
    items: int


class DebitStore(Protocol):
    async def account(self, account_id: str) -> DirectoryAccount | None: ...
    async def events(self, mandate_id: str) -> list[Event]: ...
    async def append(self, mandate: Mandate, events: Sequence[Event]) -> None: ...
    async def history(self, mandate_id: str) -> list[MandateChange]: ...
    async def mandate(self, mandate_id: str) -> Mandate | None: ...
    async def active_for(self, account_id: str) -> Mandate | None: ...
    async def mandates(
        self,
        *,
        jurisdictions: Collection[str] | None,
        account_id: str | None = None,
        status: str | None = None,
        after: str = "",
        limit: int = 100,
    ) -> list[Mandate]: ...
    async def run(self, run_id: str) -> RunRecord | None: ...
    async def runs(
        self, *, before: str | None, limit: int, scope: Scope = None
    ) -> list[RunRecord]: ...
    async def add_run(self, run: RunRecord) -> bool: ...
    async def set_run(self, run_id: str, status: str, at: datetime | None = None) -> None: ...
    async def collected(self, account_ids: Collection[str]) -> set[tuple[str, str]]: ...
    async def add_items(self, run_id: str, debits: Sequence[Debit]) -> int: ...
    async def items(
        self,
        run_id: str,
        *,
        status: str | None = None,
        after: str = "",
        limit: int = 500,
        scope: Scope = None,
    ) -> list[ItemRecord]: ...
    async def item(self, end_to_end_id: str, *, lock: bool = False) -> ItemRecord | None: ...
    async def set_item(
        self,
        end_to_end_id: str,
        status: str,
        note: str,
        *,
        return_code: str | None = None,
        returned_on: date | None = None,
    ) -> None: ...
    async def count(self, run_id: str, status: str | None = None) -> int: ...
    async def summary(self, run_id: str, scope: Scope = None) -> list[dict[str, object]]: ...
    async def add_file(self, run_id: str, file: DebitFile) -> None: ...
    async def files(self, run_id: str) -> list[DebitFile]: ...


class DebitUnitOfWork(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[DebitStore]: ...


class DebitFiles(Protocol):
    """Writes a run's debit files: pain.008 for SEPA, a CSV per payment partner."""

    def check(self, debits: Sequence[Debit]) -> None:
        """Refuse (a :class:`~cash.domain.errors.RuleViolation`) debits no file can carry."""

    def render(self, run: RunRecord, items: Sequence[ItemRecord]) -> list[DebitFile]: ...

"""What the application needs from storage (implemented in ``adapters.postgres``).

Storage is reached through one :class:`UnitOfWork` per transaction: a use case opens it,
every read and write goes through its stores, and it commits when the block ends well.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from commission.domain.agreements import Agreement
from commission.domain.brokers import BankChange, Broker
from commission.domain.settlement import Statement

R = TypeVar("R")


class Registry(Protocol):
    async def broker(self, broker_id: str) -> tuple[Broker, dict[str, Any]] | None: ...

    async def add_broker(self, broker: Broker, request: dict[str, Any]) -> bool: ...

    async def change(self, change_id: str, *, lock: bool = False) -> BankChange | None: ...

    async def add_change(self, change: BankChange) -> bool: ...

    async def save_decision(self, change: BankChange) -> None: ...

    async def changes(self, broker_id: str) -> list[BankChange]: ...

    async def agreement(self, agreement_id: str) -> tuple[Agreement, dict[str, Any]] | None: ...

    async def add_agreement(self, agreement: Agreement, request: dict[str, Any]) -> bool: ...

    async def agreements(self, broker_id: str) -> list[Agreement]: ...

    async def search(
        self,
        *,
        text: str | None,
        jurisdiction: str | None,
        after: tuple[Any, ...] | None,
        limit: int,
        within: Collection[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Brokers by name then id, each with its number of agreements and of approved
        and pending bank-detail changes (never the details themselves)."""
        ...


class Entries(Protocol):
    async def entries(
        self, broker_id: str, first: date | None = None, last: date | None = None
    ) -> list[Any]:
        """The broker's accruals and clawbacks by entry date, within the dates given."""
        ...


class Settlements(Protocol):
    async def lock(self) -> None: ...

    async def run_exists(self, period: str) -> bool: ...

    async def latest_period(self) -> str | None: ...

    async def unsettled(self, last_day: date) -> list[Any]: ...

    async def carried(self, before: str) -> dict[tuple[str, str], int]: ...

    async def save_run(
        self,
        period: str,
        now: datetime,
        statements: Sequence[Statement],
        links: Sequence[dict[str, Any]],
    ) -> None: ...

    async def statements(
        self, period: str, broker_id: str | None = None, *, lock: bool = False
    ) -> list[Any]: ...

    async def statement_entries(self, statement_id: str) -> list[Any]: ...

    async def mark_paid(
        self, statement_id: str, reference: str, paid_on: date, by: str
    ) -> None: ...


class UnitOfWork(Protocol):
    """One transaction over commission's database."""

    @property
    def registry(self) -> Registry: ...

    @property
    def settlements(self) -> Settlements: ...

    @property
    def books(self) -> Entries: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A transaction that commits when the block ends well."""
        ...

    def read(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A transaction that only reads (never commits)."""
        ...

    async def run(self, work: Callable[[UnitOfWork], Awaitable[R]], *, what: str = ...) -> R:
        """``work`` in a transaction, run again whole after a transient database failure."""
        ...

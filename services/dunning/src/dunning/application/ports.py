"""What the application needs from the outside world, as protocols (adapters implement).

Storage is reached through one :class:`UnitOfWork` per transaction: the use cases open it,
every read and write of the transaction goes through its stores, and it commits when the
block ends well (rolls back when it raises). The consumer's unit of work is the consumer's
own transaction, in which it records the event as processed.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any, Protocol
from uuid import UUID

from dunning.domain.credit import BlacklistEntry
from dunning.domain.receivables import Receivables
from dunning.domain.state import Contact, DunningState, Emitted

Row = dict[str, Any]


class Clock(Protocol):
    def today(self) -> date: ...


@dataclass
class FixedClock:
    day: date

    def today(self) -> date:
        return self.day


class Mailer(Protocol):
    """Delivers one rendered notice; returns how (``smtp``, ``outbox:<path>``)."""

    async def send(self, message: EmailMessage) -> str: ...


class LedgerPort(Protocol):
    async def post_adjustment(self, account_id: str, body: dict[str, object]) -> str:
        """Post an adjustment; return ``posted`` (new or replayed) or ``conflict``.

        Raises on a transient failure (the fee stays pending and is retried).
        """
        ...


@dataclass(frozen=True)
class LevelFilter:
    """Which accounts the by-level list shows."""

    level: int | None = None
    min_level: int = 0
    jurisdiction: str | None = None
    currency: str | None = None
    overdue_only: bool = False
    within: frozenset[str] | None = None  # the caller's jurisdictions (None: all)


class Accounts(Protocol):
    """The receivables projection, dunning states, dunning's events and its runs.

    ``lock``: hold the account's row until the transaction ends (the ``*_many`` loads
    always lock, in account order)."""

    async def load_receivables(
        self, account_id: str, *, lock: bool = False
    ) -> Receivables | None: ...

    async def load_receivables_many(self, account_ids: list[str]) -> dict[str, Receivables]: ...

    async def save_receivables(self, rec: Receivables) -> None: ...

    async def save_receivables_many(self, recs: list[Receivables]) -> None: ...

    async def load_state(self, account_id: str, *, lock: bool = False) -> DunningState | None: ...

    async def load_states_many(self, account_ids: list[str]) -> dict[str, DunningState]: ...

    async def save_state(self, state: DunningState, rec: Receivables) -> None: ...

    async def save_states_many(self, pairs: list[tuple[DunningState, Receivables]]) -> None: ...

    async def append_events(self, account_id: str, emitted: list[Emitted]) -> list[Emitted]:
        """Record decided events once each (by event id); return those that were new."""
        ...

    async def jurisdiction_of(self, account_id: str) -> str | None: ...

    async def history(self, account_id: str, limit: int = 500) -> list[Row]: ...

    async def events_after(self, after: int, limit: int) -> list[Row]: ...

    async def account_ids(self) -> list[str]: ...

    async def worklist(
        self,
        *,
        jurisdiction: str | None,
        within: Collection[str] | None = None,
        min_level: int,
        sort: str,
        page: int,
        page_size: int,
    ) -> tuple[int, list[DunningState]]: ...

    async def last_run_date(self) -> date | None: ...

    async def record_run(
        self,
        as_of: date,
        accounts: int,
        actions: dict[str, int],
        without_policy: int = 0,
        run_id: UUID | None = None,
    ) -> int: ...

    async def dump_projection(self) -> dict[str, Any]: ...


class CreditControl(Protocol):
    """Contact profiles, the contact log and the blacklist."""

    async def get_profile(self, account_id: str) -> Contact: ...

    async def get_profiles(self, account_ids: list[str]) -> dict[str, Contact]: ...

    async def put_profile(self, account_id: str, contact: Contact) -> None: ...

    async def get_contact(self, account_id: str, contact_id: str) -> Row | None: ...

    async def add_contact(self, values: Row) -> None: ...

    async def list_contacts(self, account_id: str) -> list[Row]: ...

    async def get_blacklist(self, account_id: str) -> BlacklistEntry | None: ...

    async def put_blacklist(self, entry: BlacklistEntry) -> None: ...

    async def remove_blacklist(self, account_id: str) -> bool: ...

    async def list_blacklist(self, today: date) -> list[BlacklistEntry]: ...


class Queues(Protocol):
    """Notices to send and fees to post, queued when decided and taken one at a time."""

    async def add_notice(self, values: Row) -> None: ...

    async def add_fee(self, values: Row) -> None: ...

    async def take_notice(self, max_attempts: int) -> Row | None: ...

    async def notice_done(self, notice_id: str, *, via: str | None, error: str | None) -> None: ...

    async def take_fee(self, max_attempts: int) -> Row | None: ...

    async def fee_done(self, adjustment_id: str, *, status: str, error: str | None) -> None: ...

    async def list_notices(self, account_id: str) -> list[Row]: ...

    async def list_fees(self, account_id: str) -> list[Row]: ...

    async def backlog(self) -> dict[str, int]: ...


class Lists(Protocol):
    """Keyset-paged lists: accounts by dunning level, runs and a run's actions."""

    async def accounts_by_level(
        self, f: LevelFilter, *, after: tuple[Any, ...] | None, limit: int
    ) -> list[DunningState]: ...

    async def runs(
        self, *, start: date | None, end: date | None, before: date | None, limit: int
    ) -> list[Row]: ...

    async def run(self, as_of: date) -> Row | None: ...

    async def run_events(self, as_of: date, *, after: int, limit: int) -> list[Row]: ...


@dataclass(frozen=True)
class AccountRecord:
    """An account as the reports see it: receivables, dunning state, blacklist entry."""

    rec: Receivables
    state: DunningState
    blacklist: BlacklistEntry | None


class Reports(Protocol):
    async def report_accounts(self, f: LevelFilter) -> list[AccountRecord]:
        """The accounts ``f`` selects, by account id (an account no run has evaluated yet
        is at level 0)."""
        ...


class UnitOfWork(Protocol):
    """One transaction over dunning's database."""

    @property
    def accounts(self) -> Accounts: ...

    @property
    def credit(self) -> CreditControl: ...

    @property
    def queues(self) -> Queues: ...

    @property
    def lists(self) -> Lists: ...

    @property
    def reports(self) -> Reports: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A transaction that commits when the block ends well."""
        ...

    def read(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A transaction that only reads (never commits)."""
        ...

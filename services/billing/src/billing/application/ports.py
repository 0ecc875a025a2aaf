"""What the application needs from the outside: a clock, the store, the ledger.

The PostgreSQL adapter implements :class:`Store`; ``billing.adapters.ledger`` implements
:class:`Ledger` over the ledger's HTTP API. Tests swap in real alternatives through the
composition root, never by patching.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from billing.domain.documents import Billed, Document
from billing.domain.events import Event
from billing.domain.state import Policy
from servicekit.clock import Clock as Clock  # the clock port, and its two clocks
from servicekit.clock import FixedClock as FixedClock
from servicekit.clock import SystemClock as SystemClock


@dataclass(frozen=True)
class AccountTerms:
    """What billing needs to know of a ledger account."""

    account_id: str
    currency: str
    jurisdiction: str
    payment_terms_days: int
    broker_id: str | None = None


@dataclass(frozen=True)
class Recorded:
    """A stored policy event with who recorded it and when."""

    version: int
    event: Event
    actor: str
    recorded_at: datetime


@dataclass(frozen=True)
class Pending:
    """A document recorded but not yet accepted by the ledger."""

    document_id: str
    policy_id: str
    kind: str
    request: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    status: str  # posted or rejected
    detail: str | None = None


class Session(Protocol):
    """One transaction on billing's database."""

    async def events(self, policy_id: str, *, lock: bool) -> list[Recorded]: ...

    async def lock_billing(self, policy_id: str) -> int:
        """Lock the policy for billing; the version it was last billed at."""
        ...

    async def append(
        self, policy: Policy, events: Sequence[Event], actor: str, at: datetime
    ) -> None: ...

    async def billed(self, policy_id: str, *, amounts: bool) -> Billed:
        """Invoices and note counts; with ``amounts``, the billed lines too."""
        ...

    async def add_documents(
        self,
        policy: Policy,
        docs: Sequence[Document],
        requests: Sequence[dict[str, Any] | None],
        run_id: str | None,
        at: datetime,
    ) -> None: ...

    async def set_billed_version(self, policy_id: str, version: int) -> None: ...


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Session]: ...

    async def pending(self, limit: int, policy_id: str | None = None) -> list[Pending]: ...

    async def posted(self, document_id: str, outcome: Outcome, at: datetime) -> None: ...

    async def policy_ids(self, after: str, limit: int) -> list[str]: ...

    async def count_policies(self) -> int: ...

    async def start_run(self, as_of: date, actor: str, at: datetime) -> str:
        """Record a new run of ``as_of``; its id."""
        ...

    async def run_progress(
        self, run_id: str, done: int, total: int, summary: dict[str, Any]
    ) -> None: ...

    async def finish_run(
        self, run_id: str, status: str, summary: dict[str, Any], error: str | None, at: datetime
    ) -> None: ...


class Ledger(Protocol):
    async def account(self, account_id: str) -> AccountTerms | None: ...

    def request(self, policy: Policy, doc: Document) -> dict[str, Any]: ...

    async def send(self, request: dict[str, Any]) -> Outcome: ...

    async def send_many(self, requests: list[dict[str, Any]]) -> list[Outcome]:
        """An outcome per request, in order; a ledger failure is raised."""
        ...

"""What collectors, operators and the console read: one account's dunning record, lists
of accounts with their receivables, dunning runs, dunning's own events, the blacklist.

Each query reads in one transaction of its own; the HTTP adapter shapes the answer.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from dunning.application.arrangements import Loaded, load
from dunning.application.ports import (
    AccountRecord,
    LevelFilter,
    Row,
    UnitOfWork,
    UnitOfWorkFactory,
)
from dunning.domain.credit import BlacklistEntry
from dunning.domain.errors import NotFound
from dunning.domain.policies import Policy, PolicySet
from dunning.domain.receivables import Receivables
from dunning.domain.state import DunningState

Summary = tuple[DunningState, Receivables, Policy | None]
"""An account's row in a list: its dunning state, receivables and the policy it is under."""


@dataclass(frozen=True)
class DunningRecord:
    """One account's dunning record: state, receivables, policy and profile, its dunning
    events, the contact log, the notices and the fees."""

    account: Loaded
    history: list[Row]
    contacts: list[Row]
    notices: list[Row]
    fees: list[Row]


async def account_record(
    uow: UnitOfWorkFactory, policies: PolicySet, account_id: str
) -> DunningRecord:
    async with uow.read() as tx:
        return DunningRecord(
            account=await load(tx, policies, account_id),
            history=await tx.accounts.history(account_id),
            contacts=await tx.credit.list_contacts(account_id),
            notices=await tx.queues.list_notices(account_id),
            fees=await tx.queues.list_fees(account_id),
        )


async def jurisdiction_of(uow: UnitOfWorkFactory, account_id: str) -> str | None:
    """The account's jurisdiction (None: dunning does not know the account)."""
    async with uow.read() as tx:
        return await tx.accounts.jurisdiction_of(account_id)


async def _summaries(
    tx: UnitOfWork, policies: PolicySet, states: list[DunningState]
) -> list[Summary]:
    """Each state with its receivables (accounts the ledger has not told about are left
    out) and policy."""
    by_id = {p.policy_id: p for p in policies.policies}
    rows: list[Summary] = []
    for state in states:
        rec = await tx.accounts.load_receivables(state.account_id)
        if rec is not None:
            rows.append((state, rec, by_id.get(state.policy_id or "")))
    return rows


async def accounts_by_level(
    uow: UnitOfWorkFactory,
    policies: PolicySet,
    f: LevelFilter,
    *,
    after: tuple[Any, ...] | None,
    limit: int,
) -> tuple[list[Summary], tuple[Any, ...] | None]:
    """A page of accounts, highest level first, and the key of its last row when another
    page follows (None: this is the last)."""
    async with uow.read() as tx:
        states = await tx.lists.accounts_by_level(f, after=after, limit=limit + 1)
        kept = states[:limit]
        rows = await _summaries(tx, policies, kept)
    more = len(states) > limit
    return rows, (kept[-1].level, kept[-1].account_id) if more else None


async def worklist(
    uow: UnitOfWorkFactory,
    policies: PolicySet,
    *,
    jurisdiction: str | None,
    within: Collection[str] | None,
    min_level: int,
    sort: str,
    page: int,
    page_size: int,
) -> tuple[int, list[Summary]]:
    """Overdue accounts (how many in all, and one page of them)."""
    async with uow.read() as tx:
        total, states = await tx.accounts.worklist(
            jurisdiction=jurisdiction,
            within=within,
            min_level=min_level,
            sort=sort,
            page=page,
            page_size=page_size,
        )
        return total, await _summaries(tx, policies, states)


async def runs(
    uow: UnitOfWorkFactory, *, start: date | None, end: date | None, before: date | None, limit: int
) -> list[Row]:
    """Run dates, newest first."""
    async with uow.read() as tx:
        return await tx.lists.runs(start=start, end=end, before=before, limit=limit)


async def run_detail(
    uow: UnitOfWorkFactory, as_of: date, *, after: int, limit: int
) -> tuple[Row, list[Row]]:
    """A run date and the actions taken on it (after dunning event ``after``)."""
    async with uow.read() as tx:
        row = await tx.lists.run(as_of)
        if row is None:
            raise NotFound(f"no dunning run for {as_of}", field="as_of")
        return row, await tx.lists.run_events(as_of, after=after, limit=limit)


async def events_after(uow: UnitOfWorkFactory, after: int, limit: int) -> list[Row]:
    """Dunning's own events in order (what goes to Kafka)."""
    async with uow.read() as tx:
        return await tx.accounts.events_after(after, limit)


async def blacklist(uow: UnitOfWorkFactory, today: date) -> list[BlacklistEntry]:
    """The entries active on ``today``."""
    async with uow.read() as tx:
        return await tx.credit.list_blacklist(today)


async def report_accounts(uow: UnitOfWorkFactory, f: LevelFilter) -> list[AccountRecord]:
    """The accounts a credit-control report covers, by account id."""
    async with uow.read() as tx:
        return await tx.reports.report_accounts(f)


async def backlog(uow: UnitOfWorkFactory) -> dict[str, int]:
    """Notices and fees waiting for delivery, events waiting to be published."""
    async with uow.read() as tx:
        return await tx.queues.backlog()

"""``dunning replay``: rebuild the receivables projection from ledger position 0.

The projection (open items, balances, due dates per account) is all dunning derives from
the ledger's events; levels, notices, promises and plans are dunning's own decisions and
stay as they are (the replaying consumer only projects, see
``LedgerEvents(project_only=True)``). The rebuilt projection is compared with the live one
it replaces.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from dunning.application.ports import UnitOfWorkFactory

Rebuild = Callable[[], Awaitable[int]]
"""Forget the projection and consume the ledger's events from position 0 into it, only
projecting; return the number of events handled."""


@dataclass(frozen=True)
class ReplayReport:
    events: int  # ledger events handled
    accounts: int  # accounts in the rebuilt projection
    differ: list[str]  # accounts whose rebuilt projection differs from the live one


async def replay_projection(uow: UnitOfWorkFactory, rebuild: Rebuild) -> ReplayReport:
    """Stop the live consumer first (its redeliveries would still be deduplicated)."""
    async with uow.read() as tx:
        before = await tx.accounts.dump_projection()
    events = await rebuild()
    async with uow.read() as tx:
        after = await tx.accounts.dump_projection()
    differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return ReplayReport(events=events, accounts=len(after), differ=differ)

"""``dunning replay``: rebuild the receivables projection from ledger position 0.

The projection (open items, balances, due dates per account) is all dunning derives from
the ledger's events; levels, notices, promises and plans are dunning's own decisions and
stay as they are (the replaying consumer only projects, see ``Applier(project_only=True)``).
The rebuilt projection is compared with the live one it replaces.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from dunning.adapters.postgres import repository as repo
from eventfeed import Consumer, replay


@dataclass(frozen=True)
class ReplayReport:
    events: int  # ledger events handled
    accounts: int  # accounts in the rebuilt projection
    differ: list[str]  # accounts whose rebuilt projection differs from the live one


async def replay_projection(engine: AsyncEngine, consumer: Consumer) -> ReplayReport:
    """Stop the live consumer first (its redeliveries would still be deduplicated)."""
    async with engine.connect() as conn:
        before = await repo.dump_projection(conn)
    events = await replay(consumer, repo.reset_projection)
    async with engine.connect() as conn:
        after = await repo.dump_projection(conn)
    differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return ReplayReport(events=events, accounts=len(after), differ=differ)

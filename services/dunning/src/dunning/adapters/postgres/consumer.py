"""The ledger consumer's handler: eventfeed's transaction as the unit of work of
:class:`~dunning.application.consume.LedgerEvents`.

eventfeed hands the handler (``apply``) and its batch scope (``batch``) the connection of
the transaction in which it records the events as processed; dunning's writes join it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncConnection

from dunning.adapters.postgres.repository import PostgresAccounts
from dunning.adapters.postgres.unit_of_work import PostgresUnitOfWork
from dunning.application.consume import LedgerEvents
from dunning.domain.policies import PolicySet
from eventfeed import LedgerEvent


class Applier:
    """``project_only``: rebuild the projection without deciding (``dunning replay``)."""

    def __init__(self, policies: PolicySet, *, project_only: bool = False) -> None:
        self.events = LedgerEvents(policies, project_only=project_only)

    def batch(
        self, conn: AsyncConnection, events: Sequence[LedgerEvent]
    ) -> AbstractAsyncContextManager[None]:
        return self.events.batch(PostgresUnitOfWork(conn), events)

    async def apply(self, conn: AsyncConnection, event: LedgerEvent) -> None:
        await self.events.apply(PostgresUnitOfWork(conn), event)


async def reset_projection(conn: AsyncConnection) -> None:
    """eventfeed's reset for ``dunning replay``: forget the receivables projection."""
    await PostgresAccounts(conn).reset_projection()

"""The unit of work on PostgreSQL: one connection in one transaction, with dunning's stores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from dunning.adapters.postgres.credit_control import PostgresCreditControl
from dunning.adapters.postgres.lists import PostgresLists
from dunning.adapters.postgres.queues import PostgresQueues
from dunning.adapters.postgres.reports import PostgresReports
from dunning.adapters.postgres.repository import PostgresAccounts


class PostgresUnitOfWork:
    """The stores on ``conn``; whoever opened ``conn`` commits or rolls it back."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.accounts = PostgresAccounts(conn)
        self.credit = PostgresCreditControl(conn)
        self.queues = PostgresQueues(conn)
        self.lists = PostgresLists(conn)
        self.reports = PostgresReports(conn)


class PostgresUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[PostgresUnitOfWork]:
        async with self.engine.begin() as conn:
            yield PostgresUnitOfWork(conn)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[PostgresUnitOfWork]:
        async with self.engine.connect() as conn:
            yield PostgresUnitOfWork(conn)

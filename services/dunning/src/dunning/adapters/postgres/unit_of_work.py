"""The unit of work on PostgreSQL: one connection in one transaction, with dunning's stores."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from dunning.adapters.postgres.credit_control import PostgresCreditControl
from dunning.adapters.postgres.lists import PostgresLists
from dunning.adapters.postgres.queues import PostgresQueues
from dunning.adapters.postgres.reports import PostgresReports
from dunning.adapters.postgres.repository import PostgresAccounts
from servicekit.unit_of_work import UnitOfWorkFactory


class PostgresUnitOfWork:
    """The stores on ``conn``; whoever opened ``conn`` commits or rolls it back."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.accounts = PostgresAccounts(conn)
        self.credit = PostgresCreditControl(conn)
        self.queues = PostgresQueues(conn)
        self.lists = PostgresLists(conn)
        self.reports = PostgresReports(conn)


def unit_of_work_factory(engine: AsyncEngine) -> UnitOfWorkFactory[PostgresUnitOfWork]:
    return UnitOfWorkFactory(engine, PostgresUnitOfWork)

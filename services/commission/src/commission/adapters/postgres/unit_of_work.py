"""The unit of work on PostgreSQL: one connection in one transaction, with the stores."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from commission.adapters.postgres.books import PostgresBookStore
from commission.adapters.postgres.brokers import PostgresRegistry
from commission.adapters.postgres.settlements import PostgresSettlements
from servicekit.unit_of_work import UnitOfWorkFactory


class PostgresUnitOfWork:
    """The stores on ``conn``; whoever opened ``conn`` commits or rolls it back."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.registry = PostgresRegistry(conn)
        self.settlements = PostgresSettlements(conn)
        self.books = PostgresBookStore(conn)


def unit_of_work_factory(engine: AsyncEngine) -> UnitOfWorkFactory[PostgresUnitOfWork]:
    return UnitOfWorkFactory(engine, PostgresUnitOfWork)

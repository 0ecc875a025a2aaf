"""Units of work on a SQLAlchemy engine: a service's stores bound to one connection.

``factory()`` opens a transaction that commits when the block ends well and rolls back
when it raises; ``factory.read()`` a connection that only reads and never commits.
``factory.run(work)`` runs ``work`` in a transaction, again after a transient database
failure (:func:`servicekit.transient.retrying`): for work that is safe to redo whole.

:func:`database_engine` is the engine they run on: the service's own database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from servicekit.settings import DatabaseSettings
from servicekit.transient import retrying

T = TypeVar("T")
R = TypeVar("R")


def database_engine(settings: DatabaseSettings) -> AsyncEngine:
    """The engine on the service's own database: ``db_pool_size`` connections in the pool
    and as many again while it is exhausted."""
    return create_async_engine(
        settings.required_database_url(),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
    )


class UnitOfWorkFactory(Generic[T]):
    """``bind``: the service's unit of work on a connection (its stores)."""

    def __init__(self, engine: AsyncEngine, bind: Callable[[AsyncConnection], T]) -> None:
        self.engine = engine
        self.bind = bind

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[T]:
        async with self.engine.begin() as conn:
            yield self.bind(conn)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[T]:
        async with self.engine.connect() as conn:
            yield self.bind(conn)

    async def run(self, work: Callable[[T], Awaitable[R]], *, what: str = "transaction") -> R:
        """``work`` in a transaction of its own, run again (whole) after a transient
        failure; the last failure is raised."""

        async def attempt() -> R:
            async with self() as uow:
                return await work(uow)

        return await retrying(attempt, what=what)

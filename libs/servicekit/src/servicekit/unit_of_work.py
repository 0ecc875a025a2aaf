"""Units of work on a SQLAlchemy engine: a service's stores bound to one connection.

``factory()`` opens a transaction that commits when the block ends well and rolls back
when it raises; ``factory.read()`` a connection that only reads and never commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

T = TypeVar("T")


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

"""A unit of work commits when its block ends well, rolls back when it raises; a read
never commits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from devstack.pytest_plugin import DatabaseFactory
from servicekit.unit_of_work import UnitOfWorkFactory


class Notes:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, body: str) -> None:
        await self.conn.execute(text("INSERT INTO notes VALUES (:b)"), {"b": body})

    async def all(self) -> list[str]:
        return list((await self.conn.execute(text("SELECT body FROM notes ORDER BY 1"))).scalars())


@pytest.fixture
async def engine(make_database: DatabaseFactory) -> AsyncIterator[AsyncEngine]:
    made = create_async_engine(make_database("uow"))
    async with made.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (body text PRIMARY KEY)"))
    yield made
    await made.dispose()


async def test_commit_on_success_rollback_on_error_and_reads_never_commit(
    engine: AsyncEngine,
) -> None:
    uow = UnitOfWorkFactory(engine, Notes)
    async with uow() as notes:
        await notes.add("kept")

    async def failing() -> None:
        async with uow() as notes:
            await notes.add("rolled back")
            raise RuntimeError("the use case failed")

    with pytest.raises(RuntimeError):
        await failing()
    async with uow.read() as notes:
        await notes.add("never committed")
        assert await notes.all() == ["kept", "never committed"]
    async with uow.read() as notes:
        assert await notes.all() == ["kept"]


async def test_run_redoes_the_whole_transaction_after_a_transient_failure(
    engine: AsyncEngine,
) -> None:
    """The first run's connection is terminated after its write; the second run commits,
    and only its write is kept."""
    uow = UnitOfWorkFactory(engine, Notes)
    runs: list[int] = []

    async def work(notes: Notes) -> int:
        runs.append(len(runs) + 1)
        await notes.add(f"run {len(runs)}")
        if len(runs) == 1:
            async with engine.connect() as other:
                pid = (await notes.conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
                await other.execute(text("SELECT pg_terminate_backend(:p, 5000)"), {"p": pid})
        return len(runs)

    assert await uow.run(work) == 2
    async with uow.read() as notes:
        assert await notes.all() == ["run 2"]

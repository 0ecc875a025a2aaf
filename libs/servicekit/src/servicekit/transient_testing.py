"""Test support for :mod:`servicekit.transient`: a real transient failure, provoked on the
service's own PostgreSQL, in the middle of a job's step.

::

    async with held(database_url, "SELECT 1 FROM t WHERE id = $1 FOR UPDATE", 7) as lock:
        job = asyncio.create_task(run_the_job())
        await lock.terminate_waiter(job)  # the step waits for row 7: its backend is ended
    # the lock is released here; the step runs again and goes through
    result = await job

The test's own transaction holds what ``sql`` locks; a step that needs it waits inside its
transaction, and :meth:`Held.terminate_waiter` ends that backend (``pg_terminate_backend``,
SQLSTATE ``57P01``, as a server restart or a failover would): the step's transaction is
rolled back and its connection is gone, exactly what a job meets in production.
:func:`assert_stopped_job` checks the answer of a job whose step kept failing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

WAITING = (
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    " AND wait_event_type = 'Lock' AND pid <> ALL($1::int[]) ORDER BY pid LIMIT 1"
)


def plain_url(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+asyncpg://``) as asyncpg takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Held:
    """``watch``: a connection outside the holding transaction (which would see one
    snapshot of ``pg_stat_activity`` throughout)."""

    def __init__(self, holder: asyncpg.Connection, watch: asyncpg.Connection) -> None:
        self.conn, self.own = watch, [holder.get_server_pid(), watch.get_server_pid()]
        self.terminated: list[int] = []

    async def terminate_waiter(self, job: asyncio.Future[Any]) -> int:
        """Wait until a backend of the database waits for a lock, and end it; its pid. The
        job ending first (it never needed what is held) fails the test."""
        while True:
            if job.done():
                raise AssertionError(f"the job ended without waiting for the lock: {job!r}")
            pid = await self.conn.fetchval(WAITING, self.own)
            if pid is not None:
                break
            await asyncio.sleep(0.01)
        assert await self.conn.fetchval("SELECT pg_terminate_backend($1, 5000)", pid)
        self.terminated.append(pid)
        return int(pid)


@asynccontextmanager
async def held(url: str, sql: str, *args: Any) -> AsyncIterator[Held]:
    """An open transaction of the test that has run ``sql`` (which locks something a step
    needs) until the block ends."""
    conn = await asyncpg.connect(plain_url(url))
    watch = await asyncpg.connect(plain_url(url))
    try:
        tx = conn.transaction()
        await tx.start()
        await conn.execute(sql, *args)
        yield Held(conn, watch)
        await tx.rollback()
    finally:
        await conn.close()
        await watch.close()


def assert_stopped_job(r: httpx.Response, what: str, *, attempts: int) -> dict[str, Any]:
    """``r`` answers a job stopped by its step ``what`` failing ``attempts`` times in a row
    (:class:`servicekit.transient.StepFailed`): 503 with ``Retry-After``, saying that running
    it again resumes. The problem's body."""
    assert (r.status_code, r.headers["content-type"]) == (503, "application/problem+json"), r.text
    assert r.headers["Retry-After"].isdigit(), r.headers
    body: dict[str, Any] = r.json()
    assert (body["rule"], body["reason"]) == ("database-unavailable", "unavailable"), body
    assert body["detail"].startswith(f"{what}"), body["detail"]
    assert f" failed {attempts} times in a row" in body["detail"], body["detail"]
    assert "run it again to resume" in body["detail"], body["detail"]
    return body

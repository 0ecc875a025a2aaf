"""Transient database failures, provoked on a real PostgreSQL: a deadlock and a
serialization failure are told apart from defects and retried; a service whose database
does not answer says 503 with Retry-After, counted in /metrics."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from devstack.pytest_plugin import DatabaseFactory
from servicekit import transient
from servicekit.errors import ServiceError
from servicekit.operations import HttpMetrics, add_operations
from servicekit.problems import Problems
from servicekit.transient_testing import assert_stopped_job, held


@pytest.fixture
async def db(make_database: DatabaseFactory) -> str:
    url = make_database("transient").replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(url)
    await conn.execute("CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL)")
    await conn.execute("INSERT INTO t VALUES (1, 0), (2, 0)")
    await conn.close()
    return url


async def test_a_deadlock_is_retried_and_then_succeeds(db: str) -> None:
    """A holds row 1 and waits for row 2; B, holding row 2, asks for row 1: B (the one
    checking for deadlocks first) is the victim, and its transaction runs again."""
    a, b = await asyncpg.connect(db), await asyncpg.connect(db)
    await a.execute("SET deadlock_timeout = '60s'")
    await b.execute("SET deadlock_timeout = '10ms'")
    runs: list[str] = []
    a_waits: asyncio.Task[None] | None = None

    async def a_locks_2() -> None:
        async with a.transaction():
            await a.execute("UPDATE t SET n = n + 1 WHERE id = 1")
            b_has_2.set()
            await a_may_go.wait()
            await a.execute("UPDATE t SET n = n + 1 WHERE id = 2")

    b_has_2, a_may_go = asyncio.Event(), asyncio.Event()

    async def attempt() -> str:
        nonlocal a_waits
        async with b.transaction():
            await b.execute("UPDATE t SET n = n + 10 WHERE id = 2")
            if not runs:
                a_waits = asyncio.create_task(a_locks_2())
                await b_has_2.wait()
                a_may_go.set()
                # a is now waiting for row 2 (pg_locks shows it) before b asks for row 1
                while True:
                    if await b.fetchval(
                        "SELECT count(*) FROM pg_locks WHERE pid = $1 AND NOT granted",
                        a.get_server_pid(),
                    ):
                        break
                    await asyncio.sleep(0.005)
            runs.append("run")
            await b.execute("UPDATE t SET n = n + 10 WHERE id = 1")
        return "done"

    try:
        assert await transient.retrying(attempt) == "done"
        assert a_waits is not None
        await a_waits
        assert runs == ["run", "run"]
        rows = await a.fetch("SELECT id, n FROM t ORDER BY id")
        assert [tuple(r) for r in rows] == [(1, 11), (2, 11)]  # each ran once in the end
    finally:
        await a.close()
        await b.close()


async def test_a_serialization_failure_is_transient(db: str) -> None:
    a, b = await asyncpg.connect(db), await asyncpg.connect(db)
    try:
        ta = a.transaction(isolation="serializable")
        tb = b.transaction(isolation="serializable")
        await ta.start()
        await tb.start()
        await a.fetch("SELECT sum(n) FROM t")
        await b.fetch("SELECT sum(n) FROM t")
        await a.execute("UPDATE t SET n = 1 WHERE id = 1")
        await b.execute("UPDATE t SET n = 1 WHERE id = 2")
        await ta.commit()
        with pytest.raises(asyncpg.SerializationError) as failed:
            await tb.commit()
        assert transient.transient_reason(failed.value) == "serialization"
    finally:
        await a.close()
        await b.close()


async def test_a_terminated_connection_is_transient_also_through_sqlalchemy(db: str) -> None:
    engine = create_async_engine(db.replace("postgresql://", "postgresql+asyncpg://"))
    admin = await asyncpg.connect(db)
    try:
        async with engine.connect() as conn:
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            await admin.execute("SELECT pg_terminate_backend($1, 5000)", pid)
            with pytest.raises(sa_exc.DBAPIError) as failed:
                await conn.execute(text("SELECT 1"))
        assert transient.transient_reason(failed.value) == "unavailable"
    finally:
        await admin.close()
        await engine.dispose()


async def test_defects_are_not_transient_and_not_retried(db: str) -> None:
    conn = await asyncpg.connect(db)
    runs = 0

    async def attempt() -> None:
        nonlocal runs
        runs += 1
        await conn.execute("INSERT INTO t VALUES (1, 0)")  # unique violation

    try:
        with pytest.raises(asyncpg.UniqueViolationError):
            await transient.retrying(attempt)
        assert runs == 1
        busy = ServiceError("busy")
        busy.__cause__ = asyncpg.LockNotAvailableError("held")
        assert transient.transient_reason(busy) is None  # a service's own, handled
        assert transient.transient_reason(FileNotFoundError(2, "no file")) is None
    finally:
        await conn.close()


class Oops(ServiceError):
    pass


async def test_an_unreachable_database_is_503_with_retry_after_and_counted() -> None:
    engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    registry = CollectorRegistry()
    metrics = HttpMetrics("svc", registry)
    app = FastAPI()
    Problems(service="svc", root=Oops, status={}).install(app)

    async def probe(_: object) -> tuple[dict[str, str], bool]:
        return {}, True

    add_operations(
        app, metrics=lambda: metrics, registry=lambda: registry, probe=probe, ready_summary=""
    )

    @app.get("/things")
    async def things() -> list[int]:
        async with engine.connect() as conn:
            return list((await conn.execute(text("SELECT 1"))).scalars())

    @app.get("/defect")
    async def defect() -> None:
        raise asyncpg.UndefinedTableError("a defect stays a defect")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
            r = await client.get("/things")
            assert (await client.get("/defect")).status_code == 500
    finally:
        await engine.dispose()
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["Retry-After"] == str(transient.RETRY_AFTER_SECONDS)
    body = r.json()
    assert body["type"] == "urn:receivables-svc:problem:database-unavailable"
    assert (body["title"], body["reason"]) == ("Database unavailable", "unavailable")
    assert registry.get_sample_value("svc_db_unavailable_total", {"reason": "unavailable"}) == 1
    paths = app.openapi()["paths"]  # and the API document says so, where it can happen
    documented = paths["/things"]["get"]["responses"]["503"]
    assert list(documented["content"]) == ["application/problem+json"]
    assert "database-unavailable" in documented["description"]
    assert "Retry-After" in documented["headers"]
    assert all("503" not in paths[probe]["get"]["responses"] for probe in ("/healthz", "/metrics"))


def test_a_service_without_a_database_documents_no_database_unavailable() -> None:
    app = FastAPI()
    Problems(service="svc", root=Oops, status={}, database=False).install(app)

    @app.get("/things")
    async def things() -> list[int]:
        return []

    assert "503" not in app.openapi()["paths"]["/things"]["get"]["responses"]


async def test_a_retried_use_case_runs_again_after_a_transient_failure_only() -> None:
    runs: list[str] = []

    @transient.retried
    async def use_case(fail: type[Exception]) -> int:
        runs.append(fail.__name__)
        if len(runs) == 1:
            raise fail("first run")
        return len(runs)

    assert await use_case(asyncpg.DeadlockDetectedError) == 2
    runs.clear()
    with pytest.raises(asyncpg.UniqueViolationError):
        await use_case(asyncpg.UniqueViolationError)
    assert runs == ["UniqueViolationError"]


async def _bump(engine: AsyncEngine) -> int:
    """A job's step: one transaction that needs row 1."""
    async with engine.begin() as conn:
        done = await conn.execute(text("UPDATE t SET n = n + 1 WHERE id = 1 RETURNING n"))
        return int(done.scalar_one())


async def test_a_job_step_whose_backend_is_terminated_runs_again_and_is_counted(db: str) -> None:
    engine = create_async_engine(db.replace("postgresql://", "postgresql+asyncpg://"))
    retries = transient.JobRetries(base_delay=0.001)
    try:
        async with held(db, "SELECT 1 FROM t WHERE id = 1 FOR UPDATE") as lock:
            job = asyncio.create_task(retries.step(lambda: _bump(engine), what="step 1"))
            await lock.terminate_waiter(job)
        assert await job == 1  # run again once the lock was free, and written once
        assert retries.as_dict() == {"unavailable": 1}
    finally:
        await engine.dispose()


async def test_a_step_failing_every_time_stops_the_job_with_a_resumable_503(db: str) -> None:
    engine = create_async_engine(db.replace("postgresql://", "postgresql+asyncpg://"))
    retries = transient.JobRetries(attempts=3, base_delay=0.001)
    try:
        async with held(db, "SELECT 1 FROM t WHERE id = 1 FOR UPDATE") as lock:
            job = asyncio.create_task(retries.step(lambda: _bump(engine), what="policy P-1"))
            for _ in range(3):
                await lock.terminate_waiter(job)
            with pytest.raises(transient.StepFailed) as stopped:
                await job
        assert len(set(lock.terminated)) == 3
        assert retries.as_dict() == {"unavailable": 2}
        assert transient.transient_reason(stopped.value) == "unavailable"
        assert str(stopped.value).startswith("policy P-1 failed 3 times in a row")
        assert "run it again to resume" in str(stopped.value)
        assert await _bump(engine) == 1  # the failed runs wrote nothing
    finally:
        await engine.dispose()

    app = FastAPI()
    Problems(service="svc", root=Oops, status={}).install(app)

    @app.post("/jobs")
    async def job() -> None:
        raise stopped.value

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        r = await client.post("/jobs")
    assert_stopped_job(r, "policy P-1", attempts=3)
    assert r.headers["Retry-After"] == str(transient.RETRY_AFTER_SECONDS)


async def test_a_defect_in_a_job_step_is_not_retried() -> None:
    retries = transient.JobRetries(base_delay=0.001)
    runs = 0

    async def step() -> None:
        nonlocal runs
        runs += 1
        raise asyncpg.UniqueViolationError("a defect")

    with pytest.raises(asyncpg.UniqueViolationError):
        await retries.step(step, what="step")
    assert (runs, retries.as_dict()) == (1, {})

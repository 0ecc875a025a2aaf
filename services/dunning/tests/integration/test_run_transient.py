"""A dunning run meets a real transient database failure (an account's transaction loses
its connection): the account is evaluated again and the run completes; one that keeps
failing stops the run with a 503 that says running the date again resumes it, and the
next run acts once."""

from __future__ import annotations

import asyncio
from datetime import date
from uuid import UUID, uuid4

from servicekit.transient import JobRetries
from servicekit.transient_testing import assert_stopped_job, held

from .conftest import Stack, invoice, open_account

LOCK = "SELECT 1 FROM receivables WHERE account_id = $1 FOR UPDATE"


async def _overdue(s: Stack) -> None:
    await open_account(s, "TR")
    await invoice(s, "TR", "I1", "1000.00", due="2026-01-31")
    await s.sync()


async def test_an_account_cut_off_mid_transaction_is_evaluated_again(stack: Stack) -> None:
    s = stack
    await _overdue(s)
    async with held(s.dunning.settings.database_url, LOCK, "TR") as lock:
        run = asyncio.create_task(s.run("2026-02-01"))
        await lock.terminate_waiter(run)
    report = await run
    assert report["retries"] == {"unavailable": 1}
    assert report["actions"] == {"DunningLevelReached": 1, "ReminderSent": 1}
    assert (await s.event_types("TR")).count("ReminderSent") == 1
    metrics = (await s.api.get("/metrics")).text
    assert 'dunning_db_retries_total{reason="unavailable"} 1.0' in metrics


async def test_an_account_that_keeps_failing_stops_the_run_resumably(stack: Stack) -> None:
    s = stack
    await _overdue(s)
    s.dunning.run_retries = lambda: JobRetries(attempts=2, base_delay=0.001)
    async with held(s.dunning.settings.database_url, LOCK, "TR") as lock:
        run = asyncio.create_task(s.api.post("/v1/dunning-runs", json={"as_of": "2026-02-01"}))
        await lock.terminate_waiter(run)
        await lock.terminate_waiter(run)
        r = await run
    assert_stopped_job(r, "dunning run 2026-02-01: account TR", attempts=2)
    assert await s.event_types("TR") == []  # nothing of the failed step was written
    again = await s.run("2026-02-01")
    assert again["actions"] == {"DunningLevelReached": 1, "ReminderSent": 1}
    assert (again["retries"], again["run_number"]) == ({}, 1)


async def test_a_run_recording_itself_again_is_counted_once(stack: Stack) -> None:
    """The run's last step retried after its COMMIT went through (the answer was lost): the
    date keeps one run and its actions once; another run of the date still adds up."""
    uow = stack.dunning.uow
    day, first, second = date(2026, 2, 1), uuid4(), uuid4()

    async def record(run_id: UUID, actions: dict[str, int]) -> int:
        async with uow() as tx:
            return await tx.accounts.record_run(day, 3, actions, 0, run_id)

    assert await record(first, {"ReminderSent": 2}) == 1
    assert await record(first, {"ReminderSent": 2}) == 1  # the same run again
    assert await record(second, {"ReminderSent": 1, "FeeCharged": 1}) == 2
    r = await stack.api.get(f"/v1/dunning-runs/{day}")
    assert r.status_code == 200, r.text
    run = r.json()
    assert (run["runs"], run["total_actions"]) == (2, 4)
    assert run["actions"] == {"FeeCharged": 1, "ReminderSent": 3}

"""A billing run meets a real transient database failure (its policy's transaction loses
its connection): the step runs again and the run completes; a step that keeps failing ends
the run ``failed`` saying it can be resumed, and the next run bills what was left, once."""

from __future__ import annotations

import asyncio

from servicekit.transient import JobRetries
from servicekit.transient_testing import held

from .conftest import World

LOCK = "SELECT 1 FROM policies WHERE policy_id = $1 FOR UPDATE"
MEMBER = {"member_id": "M1", "name": "Ann", "tier": "A", "start": "2026-01-01"}


async def _policy(world: World) -> tuple[str, str]:
    account = await world.account("ACC")
    policy = await world.policy("P", account=account)
    await world.post(f"/v1/policies/{policy}/members", {"members": [MEMBER], "reason": "t"})
    return account, policy


async def test_a_policy_step_cut_off_mid_transaction_runs_again_and_the_run_completes(
    world: World,
) -> None:
    account, policy = await _policy(world)
    async with held(world.service.settings.database_url, LOCK, policy) as lock:
        run = asyncio.create_task(world.run("2026-02-01"))
        await lock.terminate_waiter(run)
    report = await run
    assert report["status"] == "completed", report
    assert report["summary"]["retries"] == {"unavailable": 1}
    assert report["summary"]["documents"] == {"invoice": 2}
    assert (await world.ledger_account(account))["summary"]["invoiced"] == "590.00"
    shown = (await world.api.get(f"/v1/billing-runs/{report['run_id']}")).json()
    assert shown["summary"]["retries"] == {"unavailable": 1}
    metrics = (await world.api.get("/metrics")).text
    assert 'billing_db_retries_total{reason="unavailable"} 1.0' in metrics


async def test_a_step_that_keeps_failing_fails_the_run_resumably(world: World) -> None:
    account, policy = await _policy(world)
    world.service.runs.retries = lambda: JobRetries(attempts=2, base_delay=0.001)
    async with held(world.service.settings.database_url, LOCK, policy) as lock:
        run = asyncio.create_task(world.run("2026-02-01"))
        await lock.terminate_waiter(run)
        await lock.terminate_waiter(run)
        failed = await run
    assert failed["status"] == "failed", failed
    assert failed["error"].startswith(f"billing policy {policy} failed 2 times in a row")
    assert "run it again to resume" in failed["error"]
    assert failed["summary"]["retries"] == {"unavailable": 1}
    assert await world.documents(policy) == []  # the step wrote nothing
    again = await world.run("2026-02-01")
    assert again["status"] == "completed", again
    assert again["summary"]["documents"] == {"invoice": 2}
    assert (await world.ledger_account(account))["summary"]["invoiced"] == "590.00"

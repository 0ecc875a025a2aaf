"""A settlement meets a real transient database failure (its transaction loses its
connection): it runs again and the period is settled once; still failing, it answers 503
saying that settling again resumes, and settling again does."""

from __future__ import annotations

import asyncio

from servicekit.transient import JobRetries
from servicekit.transient_testing import assert_stopped_job, held

from .conftest import World

LOCK = "LOCK TABLE settlement_runs IN EXCLUSIVE MODE"


async def _accrued(world: World) -> str:
    broker = await world.paid_broker("0.15", "2026-11-01", "2026-11-02")
    await world.sync()
    world.pass_month_end("2026-11")
    return broker


async def test_a_settlement_cut_off_mid_transaction_runs_again(world: World) -> None:
    broker = await _accrued(world)
    async with held(world.service.settings.database_url, LOCK) as lock:
        settling = asyncio.create_task(world.settle("2026-11"))
        await lock.terminate_waiter(settling)
    done = await settling
    assert [s["broker_id"] for s in done["statements"]] == [broker]
    assert (await world.statement(broker, "2026-11"))["net_payable"] == "150.00"
    metrics = (await world.api.get("/metrics")).text
    assert 'commission_db_retries_total{reason="unavailable"} 1.0' in metrics


async def test_a_settlement_that_keeps_failing_is_503_and_settles_when_repeated(
    world: World,
) -> None:
    broker = await _accrued(world)
    world.service.settle_retries = lambda: JobRetries(attempts=2, base_delay=0.001)
    async with held(world.service.settings.database_url, LOCK) as lock:
        settling = asyncio.create_task(
            world.api.post("/v1/settlements", json={"period": "2026-11"})
        )
        await lock.terminate_waiter(settling)
        await lock.terminate_waiter(settling)
        r = await settling
    assert_stopped_job(r, "settling 2026-11", attempts=2)
    assert (await world.api.get(f"/v1/brokers/{broker}/statements/2026-11")).status_code == 404
    again = await world.api.post("/v1/settlements", json={"period": "2026-11"})
    assert again.status_code == 201, again.text
    assert "Idempotent-Replayed" not in again.headers  # the failed attempts wrote nothing
    assert (await world.statement(broker, "2026-11"))["net_payable"] == "150.00"

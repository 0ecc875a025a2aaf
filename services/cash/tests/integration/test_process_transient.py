"""Processing statement lines meets a real transient database failure (a page's
transaction loses its connection): the page is read and run again and each line is posted
once; a page that keeps failing answers 503 saying that running again resumes, and
importing the same file again does."""

from __future__ import annotations

import asyncio

from servicekit.transient import JobRetries
from servicekit.transient_testing import assert_stopped_job, held

from .conftest import World, user
from .samples import Entry, camt053

# a page reads the directory's accounts before it decides: this makes it wait
LOCK = "LOCK TABLE directory_accounts IN ACCESS EXCLUSIVE MODE"


async def _statement(world: World) -> tuple[str, str, bytes]:
    acc = await world.account("A", "Harbour Freight Pte Ltd")
    inv = await world.invoice(acc, "INV-1", "1250.00")
    await world.sync()
    raw = camt053([Entry(world.id("E1"), "1250.00", "HARBOUR FREIGHT", f"Invoice {inv}")])
    r = await world.upload(raw, process="false")
    assert (r.status_code, r.json()["status"]) == (201, {"new": 1}), r.text
    return acc, inv, raw


async def test_a_page_cut_off_mid_transaction_runs_again_and_posts_once(world: World) -> None:
    acc, inv, _ = await _statement(world)
    async with held(world.service.settings.database_url, LOCK) as lock:
        processing = asyncio.create_task(world.api.post("/v1/process", headers=user("clerk")))
        await lock.terminate_waiter(processing)
    r = await processing
    assert r.status_code == 200, r.text
    assert r.json() == {"outcomes": {"matched": 1}, "retries": {"unavailable": 1}}
    assert await world.open_amount(acc, inv) == "0.00"
    assert (await world.summary(acc))["paid"] == "1250.00"  # once
    metrics = (await world.api.get("/metrics")).text
    assert 'cash_db_retries_total{reason="unavailable"} 1.0' in metrics


async def test_a_page_that_keeps_failing_is_503_and_the_same_file_again_resumes(
    world: World,
) -> None:
    acc, inv, raw = await _statement(world)
    world.service.retries = lambda: JobRetries(attempts=2, base_delay=0.001)
    async with held(world.service.settings.database_url, LOCK) as lock:
        importing = asyncio.create_task(world.upload(raw))
        await lock.terminate_waiter(importing)
        await lock.terminate_waiter(importing)
        r = await importing
    assert_stopped_job(r, "matching and posting the new lines of import", attempts=2)
    assert [line["status"] for line in await world.lines()] == ["new"]
    again = await world.upload(raw)
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (201, "true")
    assert (again.json()["status"], again.json()["retries"]) == ({"matched": 1}, {})
    assert await world.open_amount(acc, inv) == "0.00"

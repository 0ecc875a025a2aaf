"""What QA found: a future period settled (and blocking every real one), a settlement that
did not wait for the consumer, a /readyz that said ready while the consumer was failing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from devstack.pytest_plugin import DatabaseFactory
from eventfeed import HttpFeedSource
from ledger.testing import InProcessLedger

from .conftest import World, make_world


async def test_a_period_that_has_not_ended_is_refused_and_blocks_nothing(world: World) -> None:
    broker = await world.paid_broker("0.10", "2026-12-01", "2026-12-02")
    world.pass_month_end("2027-05")  # the service's clock: 1 June 2027
    for future in ("2099-01", "2027-06"):  # far ahead, and the month still running (June)
        r = await world.api.post("/v1/settlements", json={"period": future})
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert (r.json()["rule"], r.json()["field"]) == ("period-not-ended", "period")
        assert (await world.api.get(f"/v1/settlements/{future}")).status_code == 404
    settled = await world.settle("2026-12")  # not refused with period-order
    assert [s["broker_id"] for s in settled["statements"]] == [broker]
    assert (await world.statement(broker, "2026-12"))["accruals"] == "100.00"
    assert (await world.api.post("/v1/settlements", json={"period": "2027-05"})).status_code == 201


async def test_settlement_first_consumes_what_the_ledger_has(world: World) -> None:
    broker = await world.broker()
    await world.agreement(broker, "AG", "2026-01-01", "0.10", "0.10")
    acc = await world.account(broker_id=broker)
    inv = await world.invoice(acc, "I1", [("1000.00", 1)], "2026-11-10")
    await world.pay(acc, "P1", "1000.00", "2026-11-20", inv)
    # no world.sync(): the November payment is in the ledger, not yet consumed
    await world.settle("2026-11")
    nov = await world.statement(broker, "2026-11")
    assert (nov["accruals"], nov["net_payable"]) == ("100.00", "100.00")


def _ledger_down(_: httpx.Request) -> httpx.Response:
    return httpx.Response(503, json={"detail": "ledger unavailable"})


@pytest.fixture
async def cut_off(
    make_database: DatabaseFactory, commission_template: str, ledger: InProcessLedger
) -> AsyncIterator[World]:
    """A commission service whose ledger feed answers only 503."""
    feed = HttpFeedSource(
        "http://ledger", client=httpx.AsyncClient(transport=httpx.MockTransport(_ledger_down))
    )
    async for w in make_world(
        make_database,
        commission_template,
        ledger.client,
        settings={"settle_catch_up_seconds": 0.5},
        source=feed,
    ):
        yield w


async def test_settlement_behind_the_ledger_is_refused_with_503_and_writes_nothing(
    cut_off: World,
) -> None:
    cut_off.pass_month_end("2026-11")
    r = await cut_off.api.post("/v1/settlements", json={"period": "2026-11"})
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["Retry-After"] == "30"
    assert r.json()["rule"] == "consumer-behind"
    assert "nothing was settled" in r.json()["detail"]
    assert (await cut_off.api.get("/v1/settlements/2026-11")).status_code == 404


async def test_readyz_is_503_while_the_consumer_is_retrying(
    make_database: DatabaseFactory, commission_template: str, ledger: InProcessLedger
) -> None:
    feed = HttpFeedSource(
        "http://ledger", client=httpx.AsyncClient(transport=httpx.MockTransport(_ledger_down))
    )
    async for w in make_world(
        make_database, commission_template, ledger.client, settings={"consume": True}, source=feed
    ):
        task = asyncio.create_task(w.service.consumer.run())  # what `serve` runs
        try:
            for _ in range(100):
                if w.service.consumer.status().state == "retrying":
                    break
                await asyncio.sleep(0.02)
            r = await w.api.get("/readyz")
            assert r.status_code == 503, r.text
            body = r.json()
            assert (body["status"], body["consumer"]["state"]) == ("unavailable", "retrying")
        finally:
            w.service.consumer.stop()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_readyz_is_ready_once_the_consumer_is_live(world: World) -> None:
    world.service.settings = world.service.settings.model_copy(update={"consume": True})
    task = asyncio.create_task(world.service.consumer.run())
    try:
        for _ in range(200):
            if world.service.consumer.status().state == "live":
                break
            await asyncio.sleep(0.02)
        r = await world.api.get("/readyz")
        assert (r.status_code, r.json()["status"]) == (200, "ready")
    finally:
        world.service.consumer.stop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_nul_in_a_text_field_or_query_is_a_422_and_writes_nothing(world: World) -> None:
    body = {
        "broker_id": world.id("NUL"),
        "name": "Broker\u0000",
        "jurisdiction": "SG",
        "bank": {"account_holder": "B", "country": "SG", "currency": "SGD"},
    }
    r = await world.api.post("/v1/brokers", json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert (r.json()["rule"], r.json()["field"]) == ("nul-character", "name")
    assert (await world.api.get(f"/v1/brokers/{world.id('NUL')}")).status_code == 404
    r = await world.api.get(f"/v1/brokers/{world.id('X')}/accruals", params={"period": "\x00"})
    assert (r.status_code, r.json()["field"]) == (422, "period")


@pytest.mark.parametrize("period", ["0000-01", "1899-12", "2200-01", "٢٠٢٦-01"])
async def test_a_period_outside_the_calendar_range_is_422(world: World, period: str) -> None:
    broker = await world.broker()
    for r in (
        await world.api.post("/v1/settlements", json={"period": period}),
        await world.api.get(f"/v1/settlements/{period}"),
        await world.api.get(f"/v1/brokers/{broker}/accruals", params={"period": period}),
        await world.api.get(f"/v1/brokers/{broker}/statements/{period}"),
    ):
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "period"

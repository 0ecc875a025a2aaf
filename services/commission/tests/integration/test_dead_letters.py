"""A ledger event commission cannot process is parked, the consumer goes on, an operator sees
it over HTTP (and in /readyz and /metrics) and retries it after the fix: accrued once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from commission.adapters.postgres.books import apply
from commission.cli import main
from devstack.pytest_plugin import DatabaseFactory
from eventfeed import LedgerEvent
from ledger.testing import InProcessLedger
from servicekit.dead_letter_testing import assert_retry_waits_for_the_fix, dead_letter_gauge

from .conftest import World, make_world


class RefusesPayments:
    """commission's handler, with a bug: it cannot process the named payments until fixed."""

    def __init__(self) -> None:
        self.broken: set[str] = set()

    async def __call__(self, conn: AsyncConnection, event: LedgerEvent) -> None:
        payment_id = event.data.get("payment_id")
        if event.type == "PaymentAllocated" and payment_id in self.broken:
            raise ValueError(f"cannot handle payment {payment_id}")
        await apply(conn, event)


@pytest.fixture
async def buggy(
    make_database: DatabaseFactory, commission_template: str, ledger: InProcessLedger
) -> AsyncIterator[tuple[World, RefusesPayments]]:
    handler = RefusesPayments()
    async for w in make_world(make_database, commission_template, ledger.client, handler=handler):
        yield w, handler


async def test_parked_listed_and_retried_after_the_fix_exactly_once(
    buggy: tuple[World, RefusesPayments],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    world, handler = buggy
    handler.broken = {world.id("PAY1"), world.id("PAY2")}
    broker = await world.broker()
    await world.agreement(broker, "AG", "2026-01-01", "0.15", "0.05")
    acc = await world.account(broker_id=broker)
    inv = await world.invoice(acc, "INV", [("1000.00", 1)], "2026-11-02")
    for name, amount in (("PAY1", "500.00"), ("PAY2", "300.00"), ("PAY3", "200.00")):
        await world.pay(acc, name, amount, "2026-11-10", inv)
    await world.sync()
    assert await world.net(broker) == "30.00"  # PAY3's: the consumer went on

    listed = (await world.api.get("/v1/dead-letters")).json()
    assert listed["count"] == 2
    pay1, pay2 = listed["dead_letters"]
    assert [pay1["data"]["payment_id"], pay2["data"]["payment_id"]] == sorted(handler.broken)
    assert (pay1["event_type"], pay1["account_id"], pay1["attempts"]) == (
        "PaymentAllocated",
        acc,
        1,
    )
    assert pay1["error"] == f"ValueError: cannot handle payment {world.id('PAY1')}"
    assert pay1["position"] < pay2["position"]
    ready = (await world.api.get("/readyz")).json()
    assert (ready["dead_letters"], ready["consumer"]["dead_letters"]) == (2, 2)
    assert await dead_letter_gauge(world.api) == 'eventfeed_dead_letters{consumer="commission"} 2.0'

    await assert_retry_waits_for_the_fix(world.api, pay1["event_id"], handler.broken.clear)
    assert await world.net(broker) == "105.00"  # 15% of 500 + 200, once

    # the other one from the command line, whose handler has no bug
    monkeypatch.setenv("COMMISSION_DATABASE_URL", world.service.settings.database_url)
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["dead-letters"]) == 0
    out = capsys.readouterr().out
    assert pay2["event_id"] in out
    assert pay1["event_id"] not in out  # resolved: listed only with --all
    assert await asyncio.to_thread(main, ["dead-letters", "--retry", pay2["event_id"]]) == 0
    assert f"{pay2['event_id']}: resolved" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["dead-letters", "--retry", pay2["event_id"]]) == 1
    assert "already resolved" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["dead-letters", "--all"]) == 0
    assert capsys.readouterr().out.count("resolved 20") == 2

    assert await world.net(broker) == "150.00"  # 15% of 1000: every payment accrued once
    assert await world.sync() == 0  # and nothing is handled again
    assert (await world.api.get("/v1/dead-letters")).json() == {"count": 0, "dead_letters": []}
    assert (await world.api.get("/readyz")).json()["dead_letters"] == 0
    assert await dead_letter_gauge(world.api) == 'eventfeed_dead_letters{consumer="commission"} 0.0'

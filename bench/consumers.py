"""The ledger's consumers: can dunning and commission keep up with what the ledger writes?

Run against the ledger database the HTTP section just filled, through its HTTP event feed
(``ledger serve`` still running): each consumer starts from position 0 on a fresh database
of its own and follows the feed to the head (``consume``: the live path, claims, handler,
dead-letter guard, checkpoint), then rebuilds its projection from position 0 again
(``replay``: ``dunning replay`` / ``commission replay``). Both are events per second, and
their aim is the ledger's own sustained rate in events per second, measured in the same
run (the best posts/s times the events one command writes on average).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from harness import CONSUMER_TOKEN, Databases, Figure

from devstack.pgurl import libpq_url
from eventfeed import Consumer


async def _events_per_command(ledger_db: str) -> tuple[float, int]:
    """Events per command on average, and how many events the ledger holds."""
    conn = await asyncpg.connect(libpq_url(ledger_db))
    try:
        events = await conn.fetchval("SELECT count(*) FROM events")
        commands = await conn.fetchval("SELECT count(*) FROM commands")
    finally:
        await conn.close()
    return (float(events) / commands if commands else 1.0), int(events)


async def _timed(name: str, work: Callable[[], Awaitable[int]]) -> Figure:
    start = time.perf_counter()
    handled = await work()
    return Figure(name, count=handled, seconds=time.perf_counter() - start)


async def _all_of(consumer: Consumer, expected: int) -> int:
    """Follow the feed until ``expected`` events are handled: the feed shows an event only
    once no older transaction of the server still runs, so one pass may stop short."""
    handled = 0
    deadline = time.monotonic() + 900
    while handled < expected and time.monotonic() < deadline:
        handled += await consumer.run_until_caught_up(max_seconds=900)
        if handled < expected:
            await asyncio.sleep(0.2)
    return handled


async def _dunning(db_url: str, ledger_http: str, expected: int) -> tuple[Figure, Figure]:
    from dunning.bootstrap import build
    from dunning.settings import Settings

    settings = Settings(
        database_url=db_url,
        ledger_url=ledger_http,
        ledger_token=CONSUMER_TOKEN,
        log_level="WARNING",
    )
    service = build(settings)
    try:
        live = await _timed(
            "dunning consume (HTTP feed)",
            lambda: _all_of(service.consumer(), expected),
        )

        async def again() -> int:
            return (await service.replay()).events

        return live, await _timed("dunning replay", again)
    finally:
        await service.close()


async def _commission(db_url: str, ledger_http: str, expected: int) -> tuple[Figure, Figure]:
    from commission.adapters.postgres.books import reset_derived
    from commission.bootstrap import build
    from commission.settings import Settings
    from eventfeed import replay

    service = build(
        Settings(database_url=db_url, ledger_url=ledger_http, ledger_token=CONSUMER_TOKEN)
    )
    try:
        live = await _timed(
            "commission consume (HTTP feed)",
            lambda: _all_of(service.consumer, expected),
        )
        again = await _timed(
            "commission replay", lambda: replay(service.replay_consumer(), reset_derived)
        )
        return live, again
    finally:
        await service.close()


def run_consumers(dbs: Databases, ledger_db: str, ledger_port: int) -> dict[str, Figure]:
    """Consume and replay the ledger database behind ``ledger_port`` with both services."""
    from commission.cli import migrate as migrate_commission
    from commission.settings import Settings as CommissionSettings
    from dunning.cli import migrate as migrate_dunning
    from dunning.settings import Settings as DunningSettings

    http = f"http://127.0.0.1:{ledger_port}"
    dunning_db, commission_db = dbs.make("dunning"), dbs.make("commission")
    migrate_dunning(DunningSettings(database_url=dunning_db))  # alembic runs its own loop
    migrate_commission(CommissionSettings(database_url=commission_db))

    async def all_of_them() -> dict[str, Figure]:
        figs: dict[str, Figure] = {}
        ratio, expected = await _events_per_command(ledger_db)
        figs["dunning_consume"], figs["dunning_replay"] = await _dunning(dunning_db, http, expected)
        figs["commission_consume"], figs["commission_replay"] = await _commission(
            commission_db, http, expected
        )
        figs["ledger_events_per_command"] = Figure(
            "ledger events per command", count=round(ratio * 1000), seconds=1000.0
        )
        return figs

    return asyncio.run(all_of_them())


def report_consumers(
    figs: dict[str, Figure], ledger_posts_per_second: float, row: Callable[[Figure], str]
) -> dict[str, Any]:
    """Print section (8) and its aims; return the ratios for the JSON output."""
    per_command = figs["ledger_events_per_command"].rate
    ledger_events = ledger_posts_per_second * per_command
    print(
        f"(8) consumers of the ledger's feed (ledger sustained: {ledger_events:,.0f} events/s "
        f"= {ledger_posts_per_second:,.0f} posts/s x {per_command:.2f} events per command)"
    )
    ratios: dict[str, float] = {}
    for key in ("dunning_consume", "dunning_replay", "commission_consume", "commission_replay"):
        print("  " + row(figs[key]))
        ratios[f"{key}_vs_ledger"] = figs[key].rate / ledger_events if ledger_events else 0.0
    print()
    print("aims (consumers: events/s against the ledger's sustained events/s, same run)")
    for key in ("dunning_consume", "dunning_replay", "commission_consume", "commission_replay"):
        value = ratios[f"{key}_vs_ledger"]
        verdict = "met" if value >= 1.0 else "NOT met"
        print(f"  {key:<32} {figs[key].rate:9,.0f}/s = {value:5.2f}x  aim >= 1.00x: {verdict}")
    return ratios

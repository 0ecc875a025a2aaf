"""The consumer reads and writes each account once per batch, not once per event, and the
batch path decides exactly what the event-by-event path decides."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event as sqlalchemy_event

from dunning.adapters.postgres.consumer import Applier
from eventfeed import Consumer, HttpFeedSource
from eventfeed.testing import follow

from .conftest import Stack, invoice, open_account, pay


async def _history(s: Stack) -> None:
    for n in range(4):
        account = f"TP{n}"
        await open_account(s, account)
        await invoice(s, account, "I1", "800.00", due="2026-01-31", policy_id=f"POL-{n}")
        await invoice(s, account, "I2", "200.00", due="2026-02-10")
        await pay(s, account, "P1", "300.00", on="2026-02-05", invoice_id="I1")


async def test_a_batch_costs_a_few_statements_per_account_not_per_event(stack: Stack) -> None:
    s = stack
    await _history(s)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = s.dunning.engine.sync_engine
    sqlalchemy_event.listen(engine, "before_cursor_execute", count)
    try:
        handled = await s.sync()
    finally:
        sqlalchemy_event.remove(engine, "before_cursor_execute", count)
    assert handled >= 20  # 4 x (opened, 2 invoices, received, allocated)
    assert len(statements) < handled, statements  # was about six per event


async def test_the_batch_path_decides_as_the_event_by_event_path(stack: Stack) -> None:
    s = stack
    await _history(s)
    await s.run("2026-02-20")
    await pay(s, "TP0", "P2", "700.00", on="2026-02-21")
    await pay(s, "TP1", "P2", "100.00", on="2026-02-21", invoice_id="I1")
    batched = {a: await s.view(a) for a in ("TP0", "TP1", "TP2", "TP3")}
    # the same events again, one at a time, into a fresh projection and state
    async with s.dunning.engine.begin() as conn:
        for table in ("receivables", "dunning_accounts", "dunning_events", "eventfeed_processed"):
            await conn.exec_driver_sql(f"DELETE FROM {table}")
        await conn.exec_driver_sql("DELETE FROM eventfeed_checkpoints")
        await conn.exec_driver_sql("DELETE FROM dunning_runs")
    one_by_one = Consumer(
        "dunning",
        s.dunning.engine,
        Applier(s.dunning.policies).apply,
        HttpFeedSource("http://ledger", client=s.ledger),
    )
    await follow(one_by_one)
    await s.run("2026-02-20")
    for account, view in batched.items():
        again = await s.view(account)
        for key in ("level", "overdue", "balance", "open_items", "suspended_policies"):
            assert again[key] == view[key], (account, key)

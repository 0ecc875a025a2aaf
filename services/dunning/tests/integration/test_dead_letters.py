"""A ledger event dunning cannot process is parked, the consumer goes on, an operator sees it
over HTTP (and in /readyz and /metrics) and retries it after the fix: applied exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from devstack.pytest_plugin import DatabaseFactory
from dunning.adapters.policy_file import load_policies
from dunning.adapters.postgres.consumer import Applier
from dunning.cli import main
from eventfeed import LedgerEvent
from servicekit.dead_letter_testing import assert_retry_waits_for_the_fix, dead_letter_gauge

from .conftest import Stack, invoice, make_stack, open_account


class RefusesInvoices(Applier):
    """dunning's handler, with a bug: it cannot process the named invoices until fixed."""

    def __init__(self, invoice_ids: set[str]) -> None:
        super().__init__(load_policies(None))
        self.broken = invoice_ids

    async def apply(self, conn: AsyncConnection, event: LedgerEvent) -> None:
        invoice_id = event.data.get("invoice_id")
        if event.type == "InvoiceIssued" and invoice_id in self.broken:
            raise ValueError(f"cannot handle invoice {invoice_id}")
        await super().apply(conn, event)


@pytest.fixture
async def buggy(
    make_database: DatabaseFactory, ledger_template: str, dunning_template: str, tmp_path: Path
) -> AsyncIterator[tuple[Stack, RefusesInvoices]]:
    applier = RefusesInvoices({"I2", "I4"})
    async for s in make_stack(
        make_database, ledger_template, dunning_template, tmp_path, applier=applier
    ):
        yield s, applier


async def open_items(s: Stack, account_id: str) -> list[tuple[str, str]]:
    view = (await s.api.get(f"/v1/accounts/{account_id}/dunning")).json()
    return [(i["invoice_id"], i["open_amount"]) for i in view["open_items"]]


async def test_parked_listed_and_retried_after_the_fix_exactly_once(
    buggy: tuple[Stack, RefusesInvoices],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    s, applier = buggy
    await open_account(s, "D1")
    for n, amount in enumerate(("100.00", "200.00", "50.00", "25.00"), start=1):
        await invoice(s, "D1", f"I{n}", amount, due="2026-01-31")
    await s.sync()
    assert await open_items(s, "D1") == [("I1", "100.00"), ("I3", "50.00")]  # went on

    listed = (await s.api.get("/v1/dead-letters")).json()
    assert listed["count"] == 2
    first: dict[str, Any] = listed["dead_letters"][0]
    assert [d["data"]["invoice_id"] for d in listed["dead_letters"]] == ["I2", "I4"]
    assert (first["event_type"], first["account_id"], first["stream_version"]) == (
        "InvoiceIssued",
        "D1",
        3,
    )
    assert (first["error"], first["attempts"], first["resolved_at"]) == (
        "ValueError: cannot handle invoice I2",
        1,
        None,
    )
    assert first["position"] < listed["dead_letters"][1]["position"]
    ready = (await s.api.get("/readyz")).json()
    assert (ready["status"], ready["dead_letters"]) == ("ready", 2)
    assert await dead_letter_gauge(s.api) == 'eventfeed_dead_letters{consumer="dunning"} 2.0'

    i2 = first["event_id"]
    await assert_retry_waits_for_the_fix(s.api, i2, applier.broken.clear)
    assert await open_items(s, "D1") == [("I1", "100.00"), ("I2", "200.00"), ("I3", "50.00")]

    # the other one from the command line, whose handler has no bug
    monkeypatch.setenv("DUNNING_DATABASE_URL", s.dunning.settings.database_url)
    monkeypatch.setenv("DUNNING_OUTBOX_DIR", str(tmp_path / "cli-outbox"))
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["dead-letters"]) == 0
    out = capsys.readouterr().out
    i4 = listed["dead_letters"][1]["event_id"]
    assert i4 in out
    assert i2 not in out  # resolved: listed only with --all
    assert "InvoiceIssued  account D1 v5  attempts 1  open" in out
    assert "ValueError: cannot handle invoice I4" in out
    assert await asyncio.to_thread(main, ["dead-letters", "--retry", i4]) == 0
    assert f"{i4}: resolved" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["dead-letters", "--retry", i4]) == 1
    assert "already resolved" in capsys.readouterr().out

    assert await open_items(s, "D1") == [
        ("I1", "100.00"),
        ("I2", "200.00"),
        ("I3", "50.00"),
        ("I4", "25.00"),
    ]
    view = (await s.api.get("/v1/accounts/D1/dunning")).json()
    assert view["balance"] == "375.00"  # each invoice once
    assert (await s.api.get("/v1/dead-letters")).json() == {"count": 0, "dead_letters": []}
    everything = (await s.api.get("/v1/dead-letters", params={"include_resolved": True})).json()
    assert len(everything["dead_letters"]) == 2
    assert (await s.api.get("/readyz")).json()["dead_letters"] == 0
    assert await dead_letter_gauge(s.api) == 'eventfeed_dead_letters{consumer="dunning"} 0.0'
    report = await s.run("2026-02-10")  # dunning now acts on the whole amount
    assert report["actions"]["DunningLevelReached"] == 1
    assert (await s.view("D1"))["overdue"] == "375.00"

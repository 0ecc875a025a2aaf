"""Group commit at its limits: a full queue and a shutdown answer 503 with Retry-After,
write nothing, and leave no command taken unanswered.

The command in flight is held at a gate (its handler waits for the test to open it), so
the commands after it stay queued for as long as the test needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from itertools import count
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ledger.adapters.http.app import create_app
from ledger.adapters.postgres.group_store import AsyncpgGroupUnitOfWorkFactory
from ledger.application.group import GroupCommit
from ledger.application.handler import CommandHandler, Outcome
from ledger.bootstrap import Ledger, build
from ledger.testing import asgi_client
from servicekit.auth import ADMIN
from servicekit.auth.testing import TestIdentity

from .api_support import get
from .conftest import open_account

_ids = count(1)


class Gated(CommandHandler):
    """The single path, each command waiting at ``gate`` first (a slow database)."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger.uow, ledger.clock, ledger.chain_key)
        self.gate = asyncio.Event()
        self.waiting = 0

    async def handle(self, *args: Any, **kwargs: Any) -> Outcome:
        self.waiting += 1
        await self.gate.wait()
        return await super().handle(*args, **kwargs)


def gated(ledger: Ledger, *, max_queue: int = 1024) -> tuple[Ledger, Gated]:
    """The ledger with group commit of its own, its single path gated, one group in flight
    that never stops counting as in flight while it waits."""
    single = Gated(ledger)
    commands = GroupCommit(
        single,
        AsyncpgGroupUnitOfWorkFactory(ledger.uow),
        ledger.clock,
        ledger.chain_key,
        in_flight=1,
        max_queue=max_queue,
        hold=3600,
    )
    # no checkpoints in the background of an app's lifespan here
    settings = ledger.settings.model_copy(update={"checkpoint_interval": 0})
    return replace(ledger, commands=commands, settings=settings), single


@asynccontextmanager
async def client_of(app: FastAPI, identity: TestIdentity) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app, identity.headers(ADMIN, subject="admin@test")) as client:
        yield client


def post_invoice(client: httpx.AsyncClient, account_id: str, invoice_id: str) -> Any:
    body = {
        "invoice_id": invoice_id,
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "lines": [{"description": "Premium", "amount": "10.00"}],
    }
    return client.post(f"/v1/accounts/{account_id}/invoices", json=body)


async def until(condition: Any) -> None:
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("never happened")


def metric(text: str, name: str) -> float:
    [line] = [x for x in text.splitlines() if x.startswith(name + " ")]
    return float(line.split()[1])


def assert_unavailable(response: httpx.Response, rule: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    problem = response.json()
    assert problem["status"] == 503
    assert problem["rule"] == rule
    assert "nothing was written" in problem["detail"]


@pytest.fixture
def account() -> str:
    return f"GCL-{next(_ids)}"


async def test_a_full_queue_refuses_with_503_and_writes_nothing(
    ledger: Ledger, identity: TestIdentity, client: httpx.AsyncClient, account: str
) -> None:
    await open_account(client, account)
    mine, single = gated(ledger, max_queue=2)
    async with client_of(create_app(mine), identity) as c:
        first = asyncio.ensure_future(post_invoice(c, account, "I-1"))
        await until(lambda: single.waiting == 1)  # in flight, at the gate
        queued = [asyncio.ensure_future(post_invoice(c, account, f"I-{k}")) for k in (2, 3)]
        await until(lambda: mine.commands.queued == 2)

        refused = await asyncio.wait_for(post_invoice(c, account, "I-4"), 10)
        assert_unavailable(refused, "queue-full")
        metrics = (await c.get("/metrics")).text
        assert metric(metrics, "ledger_group_commit_queued") == 2
        assert metric(metrics, 'ledger_group_commit_refused_total{reason="queue-full"}') == 1

        single.gate.set()
        answers = [await first, *(await asyncio.gather(*queued))]
        assert [r.status_code for r in answers] == [201] * 3
        assert metric((await c.get("/metrics")).text, "ledger_group_commit_queued") == 0
        # once the queue has room, the refused command goes through
        assert (await post_invoice(c, account, "I-4")).status_code == 201
    invoices = await get(client, f"/v1/accounts/{account}/invoices")
    assert sorted(i["invoice_id"] for i in invoices["invoices"]) == ["I-1", "I-2", "I-3", "I-4"]


async def test_shutdown_answers_what_it_took_and_refuses_the_rest(
    ledger: Ledger, identity: TestIdentity, client: httpx.AsyncClient, account: str
) -> None:
    await open_account(client, account)
    other = f"{account}-B"
    await open_account(client, other)
    # a ledger of its own (engine, pool), closed as `ledger serve` closes the one it built
    mine, single = gated(build(ledger.settings))
    app = create_app(mine)
    async with client_of(app, identity) as c:
        first = asyncio.ensure_future(post_invoice(c, account, "I-1"))
        await until(lambda: single.waiting == 1)
        # queued behind the group in flight: one on the same account, one on another
        queued = [
            asyncio.ensure_future(post_invoice(c, account, "I-2")),
            asyncio.ensure_future(post_invoice(c, other, "I-1")),
        ]
        await until(lambda: mine.commands.queued == 2)

        shutdown = asyncio.ensure_future(mine.close())
        await until(lambda: mine.commands.closing)
        late = await asyncio.wait_for(post_invoice(c, other, "I-2"), 10)  # shutting down
        assert_unavailable(late, "shutting-down")
        await asyncio.sleep(0.1)
        assert not shutdown.done()  # waiting for the commands it took
        assert not first.done()

        single.gate.set()
        await asyncio.wait_for(shutdown, 30)
        answers = [await first, *(await asyncio.gather(*queued))]
        assert [r.status_code for r in answers] == [201] * 3
        assert not any("idempotent-replayed" in r.headers for r in answers)
        metrics = (await c.get("/metrics")).text
        assert metric(metrics, 'ledger_group_commit_refused_total{reason="shutting-down"}') == 1
    assert (await get(client, f"/v1/accounts/{account}"))["version"] == 3
    invoices = await get(client, f"/v1/accounts/{other}/invoices")
    assert [i["invoice_id"] for i in invoices["invoices"]] == ["I-1"]  # I-2 was refused


async def test_an_app_given_a_ledger_leaves_its_commands_open_when_it_stops(
    ledger: Ledger, client: httpx.AsyncClient, account: str
) -> None:
    """Only the owner of a ledger drains it: apps sharing one (tests, an embedding process)
    come and go while the others keep taking commands."""
    await open_account(client, account)
    app = create_app(ledger)
    async with app.router.lifespan_context(app):
        pass
    assert not ledger.commands.closing
    assert (await post_invoice(client, account, "I-1")).status_code == 201

"""Billing runs: crash half-way and re-run, progress and summary, refusals, the CLI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from billing.adapters.ledger import HttpLedger
from billing.application.ports import Outcome
from billing.domain.errors import LedgerUnavailable
from devstack.pytest_plugin import DatabaseFactory
from ledger.testing import InProcessLedger

from .conftest import World, make_world


class FailingLedger(HttpLedger):
    """The real ledger client that fails (as a timeout would) after ``posts`` posts."""

    def __init__(self, client: httpx.AsyncClient, posts: int) -> None:
        super().__init__("http://ledger", client=client)
        self.left = posts

    async def send(self, request: dict[str, Any]) -> Outcome:
        if self.left <= 0:
            raise LedgerUnavailable("the ledger timed out")
        self.left -= 1
        return await super().send(request)

    async def send_many(self, requests: list[dict[str, Any]]) -> list[Outcome]:
        """The ledger writes the first ``left`` documents of the batch, then times out."""
        if self.left < len(requests):
            await super().send_many(requests[: self.left])
            self.left = 0
            raise LedgerUnavailable("the ledger timed out")
        self.left -= len(requests)
        return await super().send_many(requests)


@pytest.fixture(params=[1, 4], ids=["1 worker", "4 workers"])
async def flaky(
    request: pytest.FixtureRequest,
    make_database: DatabaseFactory,
    billing_template: str,
    ledger: InProcessLedger,
) -> AsyncIterator[tuple[World, FailingLedger]]:
    failing = FailingLedger(ledger.client, posts=3)
    async for w in make_world(
        make_database, billing_template, ledger.client, ledger=failing, run_workers=request.param
    ):
        yield w, failing


async def test_a_run_that_fails_half_way_is_completed_by_the_next_without_double_billing(
    flaky: tuple[World, FailingLedger],
) -> None:
    world, ledger = flaky
    accounts, policies = [], []
    for n in range(3):
        account = await world.account(f"A{n}")
        policy = await world.policy(f"P{n}", account=account)
        await world.post(
            f"/v1/policies/{policy}/members",
            {
                "members": [{"member_id": "M1", "name": "Ann", "tier": "A", "start": "2026-01-01"}],
                "reason": "t",
            },
        )
        accounts.append(account)
        policies.append(policy)
    failed = await world.run("2026-02-01")  # 6 invoices due; the ledger fails after 3
    assert failed["status"] == "failed"
    assert "timed out" in failed["error"]
    statuses = [d["status"] for p in policies for d in await world.documents(p)]
    pending = statuses.count("pending")  # recorded, not known sent: the next run resends them
    # the page's six invoices went in one batch; the ledger wrote three and did not answer
    assert (statuses.count("posted"), pending) == (0, 6)

    ledger.left = 100
    done = await world.run("2026-02-01")
    assert done["status"] == "completed", done
    assert done["summary"]["resent"] == pending
    for account, policy in zip(accounts, policies, strict=True):
        docs = await world.documents(policy)
        assert [d["status"] for d in docs] == ["posted", "posted"]
        assert (await world.ledger_account(account))["summary"]["invoiced"] == "590.00"
    third = await world.run("2026-02-01")
    assert third["summary"]["documents"] == {}
    assert third["run_id"].endswith("-3")


async def test_a_document_sent_twice_is_billed_once_by_the_ledger(world: World) -> None:
    """A crash after the ledger accepted a document but before billing recorded that: the
    resent request carries the same id and body, and the ledger replays its answer."""
    account = await world.account()
    policy = await world.policy(account=account)
    await world.post(
        f"/v1/policies/{policy}/members",
        {
            "members": [{"member_id": "M1", "name": "Ann", "tier": "A", "start": "2026-01-01"}],
            "reason": "t",
        },
    )
    b = world.service
    done = await b.policies.bill(
        policy, b.ledger.account, as_of=world.clock.at.date(), on=world.clock.at.date(), actor="t"
    )
    pending = await b.store.pending(10, policy)
    assert [p.document_id for p in pending] == [done.docs[0].document_id]
    assert pending == done.pending
    assert (await b.ledger.send(pending[0].request)).status == "posted"  # then "crash"
    run = await world.run("2026-01-01")
    assert run["summary"]["resent"] == 1
    assert run["summary"]["rejected"] == []
    assert (await world.ledger_account(account))["summary"]["invoiced"] == "310.00"


async def test_a_run_reports_progress_totals_and_skips_with_reasons(world: World) -> None:
    account = await world.account()
    policy = await world.policy(
        account=account,
        products=[
            {
                "product": "group_life",
                "description": "Group life",
                "rates": [{"tier": "*", "annual_premium": "365.00"}],
                "tax_rate": "0.09",
            }
        ],
    )
    await world.post(
        f"/v1/policies/{policy}/members",
        {
            "members": [{"member_id": "M1", "name": "Ann", "tier": "X", "start": "2026-01-01"}],
            "reason": "t",
        },
    )
    run = await world.run("2026-01-01")
    assert run["progress"] == {"policies_done": 1, "policies_total": 1}
    assert run["summary"]["documents"] == {"invoice": 1}
    assert run["summary"]["totals"] == {"SGD": {"invoice": "33.79"}}  # 31.00 + 9% GST 2.79
    lines = (await world.documents(policy))[0]["lines"]
    assert [(ln["description"].split(",")[0], ln["amount"]) for ln in lines] == [
        ("Group life", "31.00"),
        ("GST 9% on Group life", "2.79"),
    ]
    got = await world.api.get(f"/v1/billing-runs/{run['run_id']}")
    assert got.json()["status"] == "completed"
    listed = (await world.api.get("/v1/billing-runs")).json()["runs"]
    assert listed[0]["run_id"] == run["run_id"]
    missing = await world.api.get("/v1/billing-runs/RUN-nope")
    assert missing.status_code == 404


async def test_a_run_far_in_the_future_is_refused(world: World) -> None:
    r = await world.api.post("/v1/billing-runs", json={"as_of": "2027-01-01"})
    assert r.status_code == 422
    assert r.json()["field"] == "as_of"
    bad = await world.api.post("/v1/billing-runs", json={"as_of": "someday"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


async def test_two_runs_at_once_bill_each_period_once(world: World) -> None:
    accounts = []
    for n in range(4):
        account = await world.account(f"C{n}")
        policy = await world.policy(f"C{n}P", account=account)
        await world.post(
            f"/v1/policies/{policy}/members",
            {
                "members": [{"member_id": "M1", "name": "Ann", "tier": "A", "start": "2026-01-01"}],
                "reason": "t",
            },
        )
        accounts.append(account)
    world.today("2026-03-01")
    first, second = await asyncio.gather(
        world.post("/v1/billing-runs", {"as_of": "2026-03-01"}),
        world.post("/v1/billing-runs", {"as_of": "2026-03-01"}),
    )
    assert {first["run_id"], second["run_id"]} == {"RUN-20260301-1", "RUN-20260301-2"}
    assert (first["status"], second["status"]) == ("completed", "completed")
    invoices = first["summary"]["documents"].get("invoice", 0)
    assert invoices + second["summary"]["documents"].get("invoice", 0) == 12
    for account in accounts:
        assert (await world.ledger_account(account))["summary"]["invoiced"] == "900.00"


def _invoice(account: str, invoice_id: str, amount: str) -> dict[str, Any]:
    body = {
        "invoice_id": invoice_id,
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "lines": [{"description": "Premium", "amount": amount}],
    }
    return {"path": f"/v1/accounts/{account}/invoices", "body": body}


async def test_documents_go_in_one_batch_each_answered_and_a_refusal_spares_the_others(
    world: World, ledger: InProcessLedger
) -> None:
    """``send_many``: one POST /v1/batches; a refused document is rejected, a document not
    applied because another of its account was refused is sent again alone and posted."""
    a, b = await world.account("A"), await world.account("B")
    await world.ledger.post(f"/v1/accounts/{a}/invoices", json=_invoice(a, "TAKEN", "1.00")["body"])
    calls: list[str] = []

    async def count(request: httpx.Request) -> None:
        calls.append(request.url.path)

    ledger.client.event_hooks["request"].append(count)
    try:
        outcomes = await HttpLedger("http://ledger", client=ledger.client).send_many(
            [
                _invoice(a, "I-1", "10.00"),  # not applied with the conflict, then sent alone
                _invoice(a, "TAKEN", "2.00"),  # the id again with another amount: 409
                _invoice(b, "I-1", "20.00"),
            ]
        )
    finally:
        ledger.client.event_hooks["request"].remove(count)
    assert [o.status for o in outcomes] == ["posted", "rejected", "posted"]
    assert (outcomes[1].detail or "").startswith("409: ")
    assert "idempotency-conflict" in (outcomes[1].detail or "")
    assert calls == ["/v1/batches", f"/v1/accounts/{a}/invoices"]
    assert (await world.ledger_account(a))["summary"]["invoiced"] == "11.00"
    assert (await world.ledger_account(b))["summary"]["invoiced"] == "20.00"
    # sent again (a crash before billing recorded the answers): replayed, nothing written
    again = await HttpLedger("http://ledger", client=ledger.client).send_many(
        [_invoice(a, "I-1", "10.00"), _invoice(b, "I-1", "20.00")]
    )
    assert [o.status for o in again] == ["posted", "posted"]
    assert (await world.ledger_account(b))["summary"]["invoiced"] == "20.00"

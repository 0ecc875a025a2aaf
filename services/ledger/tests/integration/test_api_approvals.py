"""Four-eyes over HTTP: write-offs above the threshold and credit-limit changes are
requests until a second user approves them; the queue of pending requests; rebuilds."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from devstack.pytest_plugin import DatabaseFactory
from ledger.adapters.postgres import maintenance
from ledger.testing import InProcessLedger, in_process
from servicekit.auth import ADMIN, COLLECTOR, CREDIT_CONTROLLER

from .api_support import assert_problem, unchanged
from .conftest import IDENTITY, invoice, open_account

Json = dict[str, Any]
As = Callable[..., httpx.AsyncClient]


@pytest.fixture(scope="module")
async def four_eyes(make_database: DatabaseFactory) -> AsyncIterator[InProcessLedger]:
    """A ledger of its own, writing off more than 1,000.00 SGD only with a second user."""
    async with in_process(
        make_database("approvals"),
        IDENTITY,
        chain_key="approvals-key",
        write_off_approval_threshold={"SGD": Decimal("1000.00")},
    ) as running:
        yield running


@pytest.fixture
async def as_user(four_eyes: InProcessLedger) -> AsyncIterator[As]:
    made: list[httpx.AsyncClient] = []

    def make(subject: str, *roles: str, jurisdictions: tuple[str, ...] = ("*",)) -> Any:
        roles = roles or (CREDIT_CONTROLLER,)
        c = four_eyes.client_as(*roles, jurisdictions=jurisdictions, subject=subject)
        made.append(c)
        return c

    yield make
    for c in made:
        await c.aclose()


async def _account(admin: httpx.AsyncClient, account_id: str, amount: str = "5000.00") -> None:
    await open_account(admin, account_id)
    await invoice(admin, account_id, "INV-1", amount)


def _write_off(amount: str | None = "3000.00", write_off_id: str = "WO-1") -> Json:
    body: Json = {"write_off_id": write_off_id, "invoice_id": "INV-1", "reason": "insolvent"}
    if amount is not None:
        body["amount"] = amount
    body["written_off_on"] = "2026-04-01"
    return body


async def _pending(client: httpx.AsyncClient, **params: str) -> list[Json]:
    r = await client.get("/v1/approvals", params=params)
    assert r.status_code == 200, r.text
    return r.json()["requests"]  # type: ignore[no-any-return]


async def test_a_large_write_off_waits_for_a_second_user(as_user: As) -> None:
    admin, alice, bob = as_user("root", ADMIN), as_user("alice"), as_user("bob")
    await _account(admin, "A-1")
    balance = (await admin.get("/v1/accounts/A-1/balance")).json()
    r = await alice.post("/v1/accounts/A-1/write-offs", json=_write_off())
    assert r.status_code == 201, r.text
    assert r.json()["pending_approval"] is True
    assert [e["type"] for e in r.json()["events"]] == ["WriteOffRequested"]
    assert r.json()["invoice"]["open_amount"] == "5000.00"
    # nothing moved: balance, journal; the request shows in history and in the queue
    assert (await admin.get("/v1/accounts/A-1/balance")).json() == balance
    history = (await admin.get("/v1/accounts/A-1/events")).json()["events"]
    assert history[-1]["type"] == "WriteOffRequested"
    assert history[-1]["data"]["requested_by"] == "alice"
    [queued] = await _pending(bob, account_id="A-1")
    assert queued == {
        "account_id": "A-1",
        "account_name": "Customer A-1",
        "jurisdiction": "SG",
        "currency": "SGD",
        "request_id": "WO-1",
        "kind": "write_off",
        "amount": "3000.00",
        "current_credit_limit": None,
        "invoice_id": "INV-1",
        "reason": "insolvent",
        "requested_by": "alice",
        "requested_on": "2026-04-01",
    }
    # the requester cannot approve, in any spelling
    async with unchanged(admin, "A-1"):
        for me in (alice, as_user("ALICE")):
            r = await me.post("/v1/accounts/A-1/approvals/WO-1/approve", json={})
            assert_problem(r, 422, field="request_id", rule="four-eyes")
    r = await bob.post("/v1/accounts/A-1/approvals/WO-1/approve", json={"note": "agreed"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "approved"
    assert (body["requested_by"], body["decided_by"]) == ("alice", "bob")
    assert [e["type"] for e in body["events"]] == ["RequestApproved", "InvoiceWrittenOff"]
    assert body["invoice"]["written_off"] == "3000.00"
    assert body["invoice"]["open_amount"] == "2000.00"
    # a retry replays; a second approver finds nothing pending
    again = await bob.post("/v1/accounts/A-1/approvals/WO-1/approve", json={"note": "agreed"})
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == body
    r = await as_user("carol").post("/v1/accounts/A-1/approvals/WO-1/approve", json={})
    assert_problem(r, 422, field="request_id", rule="approval-state")
    assert await _pending(bob, account_id="A-1") == []
    # the request posted nothing; the approval posted the write-off, as one alone would
    lines = (await admin.get("/v1/accounts/A-1/journal")).json()["lines"]
    assert [(x["event_type"], x["ledger_account"], x["debit"], x["credit"]) for x in lines] == [
        ("InvoiceIssued", "1100-receivables", "5000.00", None),
        ("InvoiceIssued", "4000-premium-revenue", None, "5000.00"),
        ("InvoiceWrittenOff", "6100-bad-debt-expense", "3000.00", None),
        ("InvoiceWrittenOff", "1100-receivables", None, "3000.00"),
    ]


async def test_up_to_the_threshold_and_in_batches(as_user: As) -> None:
    admin, alice = as_user("root", ADMIN), as_user("alice")
    await _account(admin, "A-2")
    r = await alice.post("/v1/accounts/A-2/write-offs", json=_write_off("1000.00"))
    assert r.status_code == 201, r.text
    assert r.json()["pending_approval"] is False
    assert r.json()["invoice"]["written_off"] == "1000.00"
    # a batch follows the same rule; the whole open amount is what counts
    r = await alice.post(
        "/v1/batches",
        json=[
            {
                "op": "write_off",
                "account_id": "A-2",
                "body": _write_off(None, write_off_id="WO-2"),
            }
        ],
    )
    assert r.status_code == 200, r.text
    [result] = r.json()["results"]
    assert result["status"] == 201
    assert result["body"]["pending_approval"] is True
    assert result["body"]["amount"] == "4000.00"
    [queued] = await _pending(alice, account_id="A-2")
    assert queued["request_id"] == "WO-2"
    # the same id with another amount is another command
    r = await alice.post("/v1/accounts/A-2/write-offs", json=_write_off("1500.00", "WO-2"))
    assert_problem(r, 409, field="write_off_id")


async def test_a_request_paid_meanwhile_is_refused_then_rejected(as_user: As) -> None:
    admin, alice, bob = as_user("root", ADMIN), as_user("alice"), as_user("bob")
    await _account(admin, "A-3")
    r = await alice.post("/v1/accounts/A-3/write-offs", json=_write_off(None))
    assert r.status_code == 201, r.text
    r = await admin.post(
        "/v1/accounts/A-3/payments",
        json={
            "payment_id": "P-1",
            "amount": "5000.00",
            "received_on": "2026-04-02",
            "method": "bank-transfer",
        },
    )
    assert r.status_code == 201, r.text
    async with unchanged(admin, "A-3"):
        r = await bob.post("/v1/accounts/A-3/approvals/WO-1/approve", json={})
        problem = assert_problem(r, 422, field="request_id", rule="request-no-longer-valid")
        assert "nothing open" in problem["detail"] or "exceeds" in problem["detail"]
    r = await bob.post("/v1/accounts/A-3/approvals/WO-1/reject", json={"note": "paid in full"})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "rejected"
    assert r.json()["applied"] == []
    r = await bob.post("/v1/accounts/A-3/approvals/WO-1/reject", json={})
    assert_problem(r, 422, field="note")


async def test_a_credit_limit_change_takes_effect_when_approved(as_user: As) -> None:
    admin, alice, bob = as_user("root", ADMIN), as_user("alice"), as_user("bob")
    await _account(admin, "A-4")
    change = {"request_id": "CL-1", "credit_limit": "25000.00", "reason": "annual review"}
    r = await alice.post("/v1/accounts/A-4/credit-limit-changes", json=change)
    assert r.status_code == 201, r.text
    assert r.json()["previous_limit"] == "10000.00"
    assert (await admin.get("/v1/accounts/A-4")).json()["credit_limit"] == "10000.00"
    [queued] = await _pending(bob, kind="credit_limit", account_id="A-4")
    assert (queued["amount"], queued["current_credit_limit"]) == ("25000.00", "10000.00")
    r = await alice.post("/v1/accounts/A-4/approvals/CL-1/approve", json={})
    assert_problem(r, 422, field="request_id", rule="four-eyes")
    r = await bob.post("/v1/accounts/A-4/approvals/CL-1/approve", json={})
    assert r.status_code == 201, r.text
    assert r.json()["account"]["credit_limit"] == "25000.00"
    assert r.json()["applied"][0]["type"] == "CreditLimitChanged"
    account = (await admin.get("/v1/accounts/A-4")).json()
    assert account["credit_limit"] == "25000.00"
    assert account["summary"]["credit_available"] == "20000.00"
    r = await alice.post(
        "/v1/accounts/A-4/credit-limit-changes",
        json={**change, "request_id": "CL-2", "credit_limit": "25000.00"},
    )
    assert_problem(r, 422, field="credit_limit", rule="invalid-amount")


async def test_scopes_and_jurisdictions(as_user: As) -> None:
    admin, alice = as_user("root", ADMIN), as_user("alice")
    await _account(admin, "A-5")
    r = await alice.post("/v1/accounts/A-5/write-offs", json=_write_off())
    assert r.status_code == 201, r.text
    collector = as_user("colin", COLLECTOR)
    r = await collector.post("/v1/accounts/A-5/approvals/WO-1/approve", json={})
    assert_problem(r, 403)
    hk = as_user("hank", jurisdictions=("HK",))
    r = await hk.post("/v1/accounts/A-5/approvals/WO-1/approve", json={})
    assert_problem(r, 404)
    assert await _pending(hk) == []
    assert await _pending(hk, jurisdiction="SG") == []
    assert [
        q["request_id"]
        for q in await _pending(as_user("sam", jurisdictions=("SG",)), account_id="A-5")
    ] == ["WO-1"]
    r = await alice.get("/v1/approvals", params={"kind": "refund"})
    assert_problem(r, 422, field="kind")


async def test_the_queue_pages_and_rebuilds_from_the_events(
    as_user: As, four_eyes: InProcessLedger
) -> None:
    admin, alice = as_user("root", ADMIN), as_user("alice")
    await _account(admin, "A-6")
    for n in range(3):
        r = await alice.post(
            "/v1/accounts/A-6/write-offs", json=_write_off("1200.00", write_off_id=f"WO-{n}")
        )
        assert r.status_code == 201, r.text
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"account_id": "A-6", "limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await alice.get("/v1/approvals", params=params)).json()
        seen += [q["request_id"] for q in page["requests"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["WO-0", "WO-1", "WO-2"]
    async with four_eyes.service.engine.begin() as conn:
        differences, damaged = await maintenance.rebuild(
            conn, four_eyes.service.chain_key, apply=False
        )
    assert damaged == []
    assert set(differences.values()) == {0}

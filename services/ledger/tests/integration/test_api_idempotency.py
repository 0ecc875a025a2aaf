"""HTTP contract: every write is idempotent (DESIGN invariant 4).

A retry with the same id and body answers exactly as the first call did, says so in the
``Idempotent-Replayed`` header and writes nothing; the same id with another body is a 409
naming the id, and writes nothing either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from .api_support import assert_problem, pay, post, unchanged
from .conftest import invoice, open_account


@dataclass(frozen=True)
class Case:
    name: str
    path: str  # under /v1/accounts/{id}
    body: dict[str, Any]
    changed: dict[str, Any]  # the same id, something else different
    id_field: str
    headers: dict[str, str] | None = None


CASES = [
    Case(
        "invoice",
        "invoices",
        {
            "invoice_id": "INV-9",
            "issue_date": "2026-01-01",
            "due_date": "2026-01-31",
            "lines": [{"description": "Premium", "amount": "10.00"}],
        },
        {"lines": [{"description": "Premium", "amount": "10.01"}]},
        "invoice_id",
    ),
    Case(
        "payment",
        "payments",
        {"payment_id": "PAY-9", "amount": "30.00", "received_on": "2026-01-10", "method": "card"},
        {"amount": "31.00"},
        "payment_id",
    ),
    Case(
        "reversal",
        "payments/PAY-1/reversal",
        {"reason": "bounced", "reversed_on": "2026-01-20"},
        {"reason": "charged back"},
        "payment_id",
    ),
    Case(
        "credit note",
        "credit-notes",
        {"credit_note_id": "CN-9", "invoice_id": "INV-1", "amount": "5.00", "reason": "x"},
        {"amount": "6.00"},
        "credit_note_id",
    ),
    Case(
        "adjustment",
        "adjustments",
        {"adjustment_id": "ADJ-9", "amount": "-5.00", "invoice_id": "INV-1", "reason": "x"},
        {"amount": "-4.00"},
        "adjustment_id",
    ),
    Case(
        "debit note",
        "adjustments",
        {"adjustment_id": "DN-9", "amount": "15.00", "reason": "fee"},
        {"reason": "another fee"},
        "adjustment_id",
    ),
    Case(
        "write-off",
        "write-offs",
        {"write_off_id": "WO-9", "invoice_id": "INV-1", "amount": "1.00", "reason": "x"},
        {"amount": "2.00"},
        "write_off_id",
    ),
    Case(
        "refund",
        "refunds",
        {"refund_id": "REF-9", "amount": "10.00", "reason": "overpaid"},
        {"amount": "9.00"},
        "refund_id",
    ),
    Case(
        "apply credit",
        "unapplied/apply",
        {"application_id": "APP-9", "invoice_id": "INV-1", "amount": "10.00"},
        {"amount": "11.00"},
        "application_id",
    ),
    Case(
        "apply credit by key",
        "unapplied/apply",
        {"invoice_id": "INV-1", "amount": "10.00"},
        {"amount": "11.00"},
        "Idempotency-Key",
        {"Idempotency-Key": "apply-9"},
    ),
    Case(
        "dispute by key",
        "invoices/INV-1/dispute",
        {"reason": "wrong rate"},
        {"reason": "wrong members"},
        "Idempotency-Key",
        {"Idempotency-Key": "dispute-9"},
    ),
]


async def _account_with_credit(client: httpx.AsyncClient, account_id: str) -> None:
    """INV-1 of 100.00 with 50.00 paid by PAY-1, and 40.00 of credit from PAY-2."""
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    await pay(client, account_id, "PAY-1", "50.00")
    await pay(client, account_id, "PAY-2", "40.00", allocations=[])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_retry_replays_and_writes_nothing(
    client: httpx.AsyncClient, account_id: str, case: Case
) -> None:
    await _account_with_credit(client, account_id)
    path = f"/v1/accounts/{account_id}/{case.path}"
    first = await client.post(path, json=case.body, headers=case.headers)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers

    async with unchanged(client, account_id):
        again = await client.post(path, json=case.body, headers=case.headers)
        assert again.status_code == first.status_code
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()

        other = await client.post(path, json={**case.body, **case.changed}, headers=case.headers)
        assert_problem(other, 409, field=case.id_field, rule="idempotency-conflict")


async def test_replay_returns_the_original_answer_after_the_account_moved(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    body = {"payment_id": "PAY-1", "amount": "60.00", "received_on": "2026-01-10", "method": "card"}
    first = await post(client, f"/v1/accounts/{account_id}/payments", body)
    await pay(client, account_id, "PAY-2", "40.00")
    r = await client.post(f"/v1/accounts/{account_id}/payments", json=body)
    assert r.status_code == 201
    assert r.headers["Idempotent-Replayed"] == "true"
    assert r.json() == first  # the invoice's later state does not leak into the replay


async def test_the_same_id_on_another_account_is_another_command(
    client: httpx.AsyncClient, account_id: str
) -> None:
    other = f"{account_id}-2"
    for acc in (account_id, other):
        await open_account(client, acc)
        r = await invoice(client, acc, "INV-1", "10.00")
        assert r["version"] == 2


async def test_a_refused_command_can_be_retried_once_it_is_valid(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    body = {"payment_id": "PAY-1", "amount": "10.00", "received_on": "2026-01-10", "method": "card"}
    path = f"/v1/accounts/{account_id}/payments"
    r = await client.post(path, json={**body, "allocations": [{"invoice_id": "INV-1"}]})
    assert_problem(r, 422, field="allocations[0].invoice_id", rule="unknown-invoice")
    await invoice(client, account_id, "INV-1", "10.00")
    ok = await post(client, path, {**body, "allocations": [{"invoice_id": "INV-1"}]})
    assert ok["allocations"] == [{"invoice_id": "INV-1", "amount": "10.00"}]


async def test_a_body_id_wins_over_an_idempotency_key(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    body = {
        "invoice_id": "INV-1",
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "lines": [{"description": "Premium", "amount": "10.00"}],
    }
    path = f"/v1/accounts/{account_id}/invoices"
    await post(client, path, body, headers={"Idempotency-Key": "k-1"})
    async with unchanged(client, account_id):
        r = await client.post(path, json=body, headers={"Idempotency-Key": "k-2"})
        assert r.status_code == 201
        assert r.headers["Idempotent-Replayed"] == "true"


# -- the digest covers the whole command: path parameters too ------------------------


async def _two_written_off(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    for inv in ("INV-1", "INV-2"):
        await invoice(client, account_id, inv, "100.00")
        await post(
            client,
            f"/v1/accounts/{account_id}/write-offs",
            {"write_off_id": f"WO-{inv}", "invoice_id": inv, "amount": "100.00", "reason": "x"},
        )


async def test_a_recovery_id_reused_on_another_invoice_is_a_conflict(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await _two_written_off(client, account_id)
    body = {"recovery_id": "REC-1", "amount": "10.00", "reason": "paid late"}
    base = f"/v1/accounts/{account_id}/invoices"
    await post(client, f"{base}/INV-1/write-off-recovery", body)
    async with unchanged(client, account_id):
        r = await client.post(f"{base}/INV-2/write-off-recovery", json=body)
        assert_problem(r, 409, field="recovery_id", rule="idempotency-conflict")


@pytest.mark.parametrize(
    ("action", "body"),
    [("dispute", {"reason": "wrong rate"}), ("dispute/resolve", {"resolution": "agreed"})],
)
async def test_an_idempotency_key_reused_on_another_invoice_is_a_conflict(
    client: httpx.AsyncClient, account_id: str, action: str, body: dict[str, str]
) -> None:
    await open_account(client, account_id)
    base = f"/v1/accounts/{account_id}/invoices"
    for inv in ("INV-1", "INV-2"):
        await invoice(client, account_id, inv, "100.00")
        if action == "dispute/resolve":
            await post(client, f"{base}/{inv}/dispute", {"reason": "r"})
    await post(client, f"{base}/INV-1/{action}", body, headers={"Idempotency-Key": "K-1"})
    async with unchanged(client, account_id):
        r = await client.post(
            f"{base}/INV-2/{action}", json=body, headers={"Idempotency-Key": "K-1"}
        )
        assert_problem(r, 409, field="Idempotency-Key", rule="idempotency-conflict")


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("dispute", {"reason": "wrong rate", "disputed_on": "2026-02-01"}),
        ("dispute/resolve", {"resolution": "agreed", "resolved_on": "2026-02-03"}),
        ("dispute", {"reason": "no date: today's"}),
    ],
)
async def test_a_dispute_without_a_key_replays_when_retried(
    client: httpx.AsyncClient, account_id: str, action: str, body: dict[str, str]
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    path = f"/v1/accounts/{account_id}/invoices/INV-1/{action}"
    if action == "dispute/resolve":
        await post(client, path.removesuffix("/resolve"), {"reason": "r"})
    first = await post(client, path, body)
    async with unchanged(client, account_id):
        again = await client.post(path, json=body)
        assert again.status_code == 201, again.text
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first

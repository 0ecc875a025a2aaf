"""HTTP contract: effective dates stay in order, so "as of" figures are true on every day.

A payment can arrive before the invoice it pays is issued; a correction cannot take
effect before what it corrects exists. Otherwise a balance or aging asked as of a day in
between shows items that did not exist yet, or credit from money not yet received.
"""

from __future__ import annotations

import httpx
import pytest

from .api_support import assert_problem, balance, get, pay, post, unchanged
from .conftest import invoice, open_account


async def test_payment_before_the_invoice_is_credit_until_the_invoice_is_issued(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-MAR", "100.00", issue="2026-03-01", due="2026-03-31")
    paid = await pay(client, account_id, "PAY-1", "100.00", on="2026-02-20")
    assert paid["allocations"] == [{"invoice_id": "INV-MAR", "amount": "100.00"}]
    history = await get(client, f"/v1/accounts/{account_id}/events")
    allocated = history["events"][-1]
    assert (allocated["type"], allocated["effective_date"]) == ("PaymentAllocated", "2026-03-01")

    before = await balance(client, account_id, as_of="2026-02-25")
    assert (before["balance"], before["open"], before["unapplied"]) == ("-100.00", "0.00", "100.00")
    after = await balance(client, account_id, as_of="2026-03-01")
    assert (after["balance"], after["open"], after["unapplied"]) == ("0.00", "0.00", "0.00")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "payments/PAY-1/reversal",
            {"reason": "bounced", "reversed_on": "2026-02-09"},
            "reversed_on",
        ),
        (
            "credit-notes",
            {
                "credit_note_id": "CN-1",
                "invoice_id": "INV-1",
                "amount": "10.00",
                "reason": "x",
                "issued_on": "2026-01-31",
            },
            "issued_on",
        ),
        (
            "adjustments",
            {
                "adjustment_id": "ADJ-1",
                "invoice_id": "INV-1",
                "amount": "-10.00",
                "reason": "x",
                "effective_on": "2026-01-31",
            },
            "effective_on",
        ),
        (
            "write-offs",
            {
                "write_off_id": "WO-1",
                "invoice_id": "INV-1",
                "reason": "x",
                "written_off_on": "2026-01-31",
            },
            "written_off_on",
        ),
        (
            "unapplied/apply",
            {
                "application_id": "APP-1",
                "invoice_id": "INV-1",
                "amount": "10.00",
                "applied_on": "2026-01-31",
            },
            "applied_on",
        ),
    ],
)
async def test_a_correction_cannot_take_effect_before_what_it_corrects(
    client: httpx.AsyncClient, account_id: str, path: str, body: dict[str, str], field: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-0", "50.00", issue="2026-01-01", due="2026-01-31")
    await invoice(client, account_id, "INV-1", "100.00", issue="2026-02-01", due="2026-02-28")
    await pay(client, account_id, "PAY-1", "80.00", on="2026-02-10")  # 50 to INV-0, 30 to INV-1
    await pay(client, account_id, "PAY-2", "40.00", on="2026-01-15", allocations=[])
    async with unchanged(client, account_id):
        r = await client.post(f"/v1/accounts/{account_id}/{path}", json=body)
        assert_problem(r, 422, field=field, rule="invalid-dates")


async def test_credit_is_refunded_or_applied_only_once_received(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00", issue="2026-01-01", due="2026-01-31")
    await pay(client, account_id, "PAY-1", "60.00", on="2026-02-10", allocations=[])
    async with unchanged(client, account_id):
        r = await client.post(
            f"/v1/accounts/{account_id}/refunds",
            json={
                "refund_id": "REF-1",
                "amount": "10.00",
                "reason": "x",
                "refunded_on": "2026-02-09",
            },
        )
        assert_problem(r, 422, field="amount", rule="insufficient-credit")
        r = await client.post(
            f"/v1/accounts/{account_id}/unapplied/apply",
            json={
                "application_id": "APP-1",
                "invoice_id": "INV-1",
                "amount": "10.00",
                "applied_on": "2026-02-09",
            },
        )
        assert_problem(r, 422, field="amount", rule="insufficient-credit")
    # on the day it arrived it can be used
    await post(
        client,
        f"/v1/accounts/{account_id}/refunds",
        {"refund_id": "REF-1", "amount": "10.00", "reason": "x", "refunded_on": "2026-02-10"},
    )
    b = await balance(client, account_id, as_of="2026-02-10")
    assert (b["open"], b["unapplied"], b["balance"]) == ("100.00", "50.00", "50.00")

"""HTTP contract: every amount field of every command refuses the same bad values.

The account is set up so that each command would succeed with a good amount; a refusal
can only come from the amount, must name it and must write nothing.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .api_support import assert_problem, pay, post, unchanged
from .conftest import invoice, open_account

# (path under the account, body without the amount, amount field path, negative allowed)
COMMANDS: list[tuple[str, dict[str, Any], str, bool]] = [
    (
        "invoices",
        {
            "invoice_id": "INV-9",
            "issue_date": "2026-01-01",
            "due_date": "2026-01-31",
            "lines": [{"description": "p"}],
        },
        "lines[0].amount",
        False,
    ),
    (
        "payments",
        {"payment_id": "PAY-9", "received_on": "2026-01-10", "method": "card"},
        "amount",
        False,
    ),
    (
        "payments",
        {
            "payment_id": "PAY-9",
            "received_on": "2026-01-10",
            "method": "card",
            "amount": "5.00",
            "allocations": [{"invoice_id": "INV-1"}],
        },
        "allocations[0].amount",
        False,
    ),
    (
        "credit-notes",
        {"credit_note_id": "CN-9", "invoice_id": "INV-1", "reason": "x", "issued_on": "2026-01-10"},
        "amount",
        False,
    ),
    (
        "adjustments",
        {
            "adjustment_id": "ADJ-9",
            "invoice_id": "INV-1",
            "reason": "x",
            "effective_on": "2026-01-10",
        },
        "amount",
        True,
    ),
    (
        "write-offs",
        {
            "write_off_id": "WO-9",
            "invoice_id": "INV-1",
            "reason": "x",
            "written_off_on": "2026-01-10",
        },
        "amount",
        False,
    ),
    (
        "invoices/INV-2/write-off-recovery",
        {"recovery_id": "REC-9", "reason": "x", "recovered_on": "2026-01-10"},
        "amount",
        False,
    ),
    (
        "refunds",
        {"refund_id": "REF-9", "reason": "x", "refunded_on": "2026-01-10"},
        "amount",
        False,
    ),
    (
        "unapplied/apply",
        {"application_id": "APP-9", "invoice_id": "INV-1", "applied_on": "2026-01-10"},
        "amount",
        False,
    ),
]

BAD = [
    (1, "validation"),  # a JSON number
    (1.5, "validation"),
    ("1.5e1", "validation"),
    ("one", "validation"),
    ("", "validation"),
    ("\u0665", "validation"),  # ARABIC-INDIC DIGIT FIVE: only ASCII digits
    ("1.00\n", "validation"),
    ("1234567890123456", "validation"),  # 16 digits
    (None, "validation"),
    ("1.001", "invalid-amount"),  # more places than SGD has
    ("0.00", "invalid-amount"),
    ("-1.00", "invalid-amount"),
]


def _with_amount(body: dict[str, Any], field: str, amount: Any) -> dict[str, Any]:
    out = {**body}
    if field == "lines[0].amount":
        out["lines"] = [{**body["lines"][0], "amount": amount}]
    elif field == "allocations[0].amount":
        out["allocations"] = [{**body["allocations"][0], "amount": amount}]
    else:
        out[field] = amount
    return out


async def _account(client: httpx.AsyncClient, account_id: str) -> None:
    """INV-1 100.00 open; INV-2 10.00 written off; 50.00 of unapplied credit."""
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    await invoice(client, account_id, "INV-2", "10.00")
    await post(
        client,
        f"/v1/accounts/{account_id}/write-offs",
        {
            "write_off_id": "WO-1",
            "invoice_id": "INV-2",
            "reason": "x",
            "written_off_on": "2026-01-05",
        },
    )
    await pay(client, account_id, "PAY-1", "50.00", on="2026-01-05", allocations=[])


@pytest.mark.parametrize(
    ("path", "body", "field", "negative_ok"), COMMANDS, ids=[f"{c[0]}:{c[2]}" for c in COMMANDS]
)
async def test_bad_amounts_are_refused_by_every_command(
    client: httpx.AsyncClient,
    account_id: str,
    path: str,
    body: dict[str, Any],
    field: str,
    negative_ok: bool,
) -> None:
    await _account(client, account_id)
    url = f"/v1/accounts/{account_id}/{path}"
    async with unchanged(client, account_id):
        for amount, rule in BAD:
            if negative_ok and amount == "-1.00":
                continue
            if amount is None and (path == "write-offs" or field.startswith("allocations")):
                continue  # optional there: no amount means all that is open
            r = await client.post(url, json=_with_amount(body, field, amount))
            assert_problem(r, 422, field=field, rule=rule)
    # and the same command with a good amount goes through
    good = await client.post(url, json=_with_amount(body, field, "1.00"))
    assert good.status_code == 201, good.text


LARGEST_BHD = "999999999999999.999"  # the largest amount: 10**18 - 1 fils


async def test_totals_past_the_limit_are_refused_before_writing(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id, currency="BHD", credit_limit="0.000")
    for n in range(1, 10):  # nine fit: 8,999,999,999,999,999,991 fils
        await invoice(client, account_id, f"INV-{n}", LARGEST_BHD)
    async with unchanged(client, account_id):
        r = await client.post(
            f"/v1/accounts/{account_id}/invoices",
            json={
                "invoice_id": "INV-10",
                "issue_date": "2026-01-01",
                "due_date": "2026-01-31",
                "lines": [{"description": "Premium", "amount": LARGEST_BHD}],
            },
        )
        assert_problem(r, 422, field="lines", rule="account-total-limit")
    account = (await client.get(f"/v1/accounts/{account_id}")).json()
    assert account["summary"]["balance"] == "8999999999999999.991"
    # payments add up the same way: nine largest payments fit, the tenth does not
    for n in range(1, 10):
        await pay(client, account_id, f"PAY-{n}", LARGEST_BHD)
    async with unchanged(client, account_id):
        r = await client.post(
            f"/v1/accounts/{account_id}/payments",
            json={
                "payment_id": "PAY-10",
                "amount": LARGEST_BHD,
                "received_on": "2026-01-10",
                "method": "card",
            },
        )
        assert_problem(r, 422, field="amount", rule="account-total-limit")

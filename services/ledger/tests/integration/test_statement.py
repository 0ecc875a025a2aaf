"""Statement of account: opening balance, movements, closing balance, as JSON and CSV."""

from __future__ import annotations

import csv
import io

import httpx

from .conftest import invoice, open_account


async def _history(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-DEC", "300.00", issue="2025-12-01", due="2025-12-31")
    await invoice(client, account_id, "INV-JAN", "500.00", issue="2026-01-01", due="2026-01-31")
    for path, body in [
        (
            "payments",
            {
                "payment_id": "P-1",
                "amount": "650.00",
                "received_on": "2026-01-15",
                "method": "giro",
            },
        ),
        (
            "credit-notes",
            {
                "credit_note_id": "CN-1",
                "invoice_id": "INV-JAN",
                "amount": "20.00",
                "reason": "rate error",
                "issued_on": "2026-01-20",
            },
        ),
        (
            "adjustments",
            {
                "adjustment_id": "FEE-1",
                "amount": "15.00",
                "reason": "late fee",
                "effective_on": "2026-02-02",
            },
        ),
    ]:
        r = await client.post(f"/v1/accounts/{account_id}/{path}", json=body)
        assert r.status_code == 201, r.text


async def test_a_statement_runs_from_opening_to_closing_balance(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await _history(client, account_id)
    r = await client.get(
        f"/v1/accounts/{account_id}/statement", params={"from": "2026-01-01", "to": "2026-01-31"}
    )
    assert r.status_code == 200, r.text
    s = r.json()
    assert s["opening_balance"] == "300.00"
    assert [
        (x["type"], x["reference"], x["debit"], x["credit"], x["balance"]) for x in s["lines"]
    ] == [
        ("InvoiceIssued", "INV-JAN", "500.00", None, "800.00"),
        ("PaymentReceived", "P-1", None, "650.00", "150.00"),
        ("CreditNoteIssued", "CN-1", None, "20.00", "130.00"),
    ]
    assert s["closing_balance"] == "130.00"
    balance = (
        await client.get(f"/v1/accounts/{account_id}/balance", params={"as_of": "2026-01-31"})
    ).json()
    assert balance["balance"] == s["closing_balance"]


async def test_a_statement_downloads_as_csv(client: httpx.AsyncClient, account_id: str) -> None:
    await _history(client, account_id)
    r = await client.get(
        f"/v1/accounts/{account_id}/statement",
        params={"from": "2026-02-01", "to": "2026-02-28", "format": "csv"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[3][3:] == ["Opening balance", "", "", "130.00"]
    assert rows[4][1:] == [
        "AdjustmentPosted",
        "FEE-1",
        "Adjustment (late fee)",
        "15.00",
        "",
        "145.00",
    ]
    assert rows[-1][3:] == ["Closing balance", "", "", "145.00"]


async def test_a_period_that_ends_before_it_starts_is_refused(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    r = await client.get(
        f"/v1/accounts/{account_id}/statement", params={"from": "2026-02-01", "to": "2026-01-01"}
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["field"] == "to"

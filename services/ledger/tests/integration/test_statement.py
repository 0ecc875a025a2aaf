"""Statement of account: opening balance, movements, closing balance; JSON, CSV, XLSX, PDF."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import httpx
from openpyxl import load_workbook  # type: ignore[import-untyped]
from pypdf import PdfReader

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
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["Date", "Type", "Reference", "Description", "Debit", "Credit", "Balance"]
    assert rows[1][3:] == ["Opening balance", "", "", "130.00"]
    assert rows[2][1:] == [
        "AdjustmentPosted",
        "FEE-1",
        "Adjustment (late fee)",
        "15.00",
        "",
        "145.00",
    ]
    assert rows[-1][3:] == ["Closing balance", "", "", "145.00"]


async def test_a_statement_downloads_as_xlsx_and_pdf(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await _history(client, account_id)
    path = f"/v1/accounts/{account_id}/statement"
    period = {"from": "2026-02-01", "to": "2026-02-28"}
    body = (await client.get(path, params=period)).json()

    x = await client.get(path, params={**period, "format": "xlsx"})
    p = await client.get(path, params=period, headers={"Accept": "application/pdf"})

    ws = load_workbook(io.BytesIO(x.content))["Statement"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    closing = next(v for v in values if v[3] == "Closing balance")
    assert Decimal(str(closing[6])) == Decimal(body["closing_balance"])
    assert ws.freeze_panes is not None
    assert p.headers["content-type"] == "application/pdf"
    assert p.content.startswith(b"%PDF-")
    text = _pdf_text(p.content)
    assert "Statement of account" in text
    assert body["closing_balance"] in text
    assert all(line["balance"] in text for line in body["lines"])


def _pdf_text(content: bytes) -> str:
    """The text of the pages (pypdf puts a NUL before each character of the CJK font)."""
    pages = PdfReader(io.BytesIO(content)).pages
    return "\n".join(page.extract_text() for page in pages).replace("\x00", "")


async def test_a_statement_pdf_prints_a_chinese_name(client: httpx.AsyncClient) -> None:
    name = "陳大文貿易有限公司"
    await open_account(client, "ACC-HK-CJK", currency="HKD", name=name, jurisdiction="HK")
    await invoice(client, "ACC-HK-CJK", "INV-CJK", "250.00", issue="2026-02-02", due="2026-03-04")
    p = await client.get(
        "/v1/accounts/ACC-HK-CJK/statement",
        params={"from": "2026-02-01", "to": "2026-02-28"},
        headers={"Accept": "application/pdf"},
    )
    assert p.status_code == 200
    text = _pdf_text(p.content)
    assert name in text
    assert "250.00" in text


async def test_a_statement_in_an_unknown_format_is_refused(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    r = await client.get(
        f"/v1/accounts/{account_id}/statement", params={"from": "2026-02-01", "format": "docx"}
    )
    assert r.status_code == 422
    assert r.json()["field"] == "format"


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

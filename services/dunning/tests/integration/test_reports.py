"""Reports: credit control per account and aging by dunning level, tied to the ledger."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from servicekit.auth import COLLECTOR, CREDIT_CONTROLLER

from .conftest import IDENTITY, Stack, invoice, open_account, pay


def as_(s: Stack, role: str, where: str = "*") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=s.api._transport,
        base_url="http://dunning",
        headers=IDENTITY.headers(role, jurisdictions=[where]),
    )


async def _portfolio(s: Stack) -> None:
    """R1 over its limit and blacklisted, R2 with an open promise, R3 (HK) on a payment
    plan, R4 paid up with money left over, R5 with a disputed invoice."""
    await open_account(s, "R1", credit_limit="1000.00")
    await invoice(s, "R1", "I1", "800.00", due="2026-01-10")
    await invoice(s, "R1", "I2", "500.00", due="2026-03-31", issue="2026-02-28")
    await open_account(s, "R2")
    await invoice(s, "R2", "I1", "400.00", due="2026-01-31")
    await open_account(s, "R3", jurisdiction="HK", currency="HKD", credit_limit="0.00")
    await invoice(s, "R3", "I1", "900.00", due="2025-11-15", issue="2025-10-15")
    await open_account(s, "R4")
    await invoice(s, "R4", "I1", "100.00", due="2026-01-31")
    await pay(s, "R4", "P1", "150.00", on="2026-01-20")
    await open_account(s, "R5")
    await invoice(s, "R5", "I1", "250.00", due="2026-01-15")
    await s.post(
        "/v1/accounts/R5/invoices/I1/dispute",
        {"reason": "wrong member count", "disputed_on": "2026-01-20"},
    )
    await s.run("2026-02-20")
    await s.run("2026-03-01")
    r = await s.api.post(
        "/v1/blacklist", json={"account_id": "R1", "reason": "fraud check", "jurisdiction": "SG"}
    )
    assert r.status_code == 201, r.text
    r = await s.api.post(
        "/v1/accounts/R2/promises",
        json={"promise_id": "PR1", "amount": "400.00", "promised_date": "2026-03-10"},
    )
    assert r.status_code == 201, r.text
    plan = {
        "plan_id": "PL1",
        "installments": [
            {"due_date": "2026-03-15", "amount": "450.00"},
            {"due_date": "2026-04-15", "amount": "450.00"},
        ],
    }
    r = await s.api.post("/v1/accounts/R3/payment-plans", json=plan)
    assert r.status_code == 201, r.text
    await pay(s, "R3", "P1", "300.00", on="2026-03-01", invoice_id="I1")
    await s.sync()


async def _get(client: httpx.AsyncClient, path: str, **params: Any) -> dict[str, Any]:
    r = await client.get(path, params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _percent(balance: Decimal, limit: Decimal) -> str:
    if limit <= 0:
        return "100.00" if balance > 0 else "0.00"
    hundredths = int(max(balance, Decimal(0)) * 10000 // limit)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


async def test_credit_control_per_account_with_totals_per_currency(stack: Stack) -> None:
    s = stack
    await _portfolio(s)
    body = await _get(s.api, "/v1/reports/credit-control")
    rows = {a["account_id"]: a for a in body["accounts"]}

    assert body["as_of"] == "2026-03-01"
    assert list(rows) == ["R1", "R2", "R3", "R4", "R5"]
    for account_id, row in rows.items():  # the ledger's balance, dunning fees included
        ledger = await _get(s.ledger, f"/v1/accounts/{account_id}/balance", as_of="2026-03-01")
        assert row["balance"] == ledger["balance"]
        balance, limit = Decimal(row["balance"]), Decimal(row["credit_limit"])
        assert row["utilisation_percent"] == _percent(balance, limit)
        assert Decimal(row["available"]) == limit - max(balance, Decimal(0))
        assert row["over_limit"] == (balance > limit)
    r1 = rows["R1"]
    assert (r1["overdue"], r1["credit_limit"], r1["over_limit"]) == ("800.00", "1000.00", True)
    assert Decimal(r1["utilisation_percent"]) >= 130
    assert (r1["blacklisted"], r1["blacklist_reason"]) == (True, "fraud check")
    assert r1["level"] > 0
    assert r1["level_name"]
    assert r1["days_past_due"] == 50
    r2 = rows["R2"]
    assert r2["promises"] == {"open": 1, "kept": 0, "broken": 0, "completed": 0}
    assert (r2["promised_open"], r2["paused"], r2["blacklisted"]) == ("400.00", True, False)
    r3 = rows["R3"]
    assert (r3["currency"], r3["overdue"], r3["utilisation_percent"]) == ("HKD", "600.00", "100.00")
    assert r3["payment_plans"] == {"open": 1, "kept": 0, "broken": 0, "completed": 0}
    assert r3["plan_outstanding"] == "600.00"
    assert (rows["R4"]["balance"], rows["R4"]["overdue"], rows["R4"]["level"]) == (
        "-50.00",
        "0.00",
        0,
    )
    assert (rows["R5"]["overdue"], rows["R5"]["disputed"]) == ("0.00", "250.00")

    totals = {t["currency"]: t for t in body["totals"]}
    sgd = [r for r in rows.values() if r["currency"] == "SGD"]
    t = totals["SGD"]
    assert t["accounts"] == 4
    for key in ("balance", "overdue", "disputed", "credit_limit", "available"):
        assert Decimal(t[key]) == sum(Decimal(r[key]) for r in sgd)
    assert (t["overdue"], t["credit_limit"], t["over_limit"], t["blacklisted"]) == (
        "1200.00",
        "16000.00",
        1,
        1,
    )
    assert t["utilisation_percent"] == _percent(Decimal(t["balance"]), Decimal("16000"))
    assert t["promises"]["open"] == 1
    assert (totals["HKD"]["accounts"], totals["HKD"]["balance"]) == (1, rows["R3"]["balance"])


async def test_credit_control_filters_and_jurisdictions(stack: Stack) -> None:
    s = stack
    await _portfolio(s)
    hk = await _get(s.api, "/v1/reports/credit-control", jurisdiction="HK")
    assert [a["account_id"] for a in hk["accounts"]] == ["R3"]
    sgd = await _get(s.api, "/v1/reports/credit-control", currency="SGD", overdue="true")
    assert [a["account_id"] for a in sgd["accounts"]] == ["R1", "R2"]
    level = (await _get(s.api, "/v1/reports/credit-control"))["accounts"][0]["level"]
    at_level = await _get(s.api, "/v1/reports/credit-control", level=level)
    assert {a["level"] for a in at_level["accounts"]} == {level}

    sg_only = await _get(as_(s, CREDIT_CONTROLLER, "SG"), "/v1/reports/credit-control")
    assert {a["jurisdiction"] for a in sg_only["accounts"]} == {"SG"}
    assert [t["currency"] for t in sg_only["totals"]] == ["SGD"]
    asked = await _get(
        as_(s, CREDIT_CONTROLLER, "SG"), "/v1/reports/credit-control", jurisdiction="HK"
    )
    assert asked["accounts"] == []
    assert (await as_(s, COLLECTOR).get("/v1/reports/credit-control")).status_code == 403
    r = await s.api.get("/v1/reports/credit-control", params={"level": "-1"})
    assert (r.status_code, r.headers["content-type"]) == (422, "application/problem+json")
    r = await s.api.get("/v1/reports/credit-control", params={"format": "pdf"})
    assert r.status_code == 422


async def test_credit_control_as_csv_and_formatted_xlsx(stack: Stack) -> None:
    s = stack
    await _portfolio(s)
    r = await s.api.get("/v1/reports/credit-control", params={"format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    head = table[0]
    assert head[:4] == ["Account", "Name", "Jurisdiction", "Currency"]
    by_id = {row[0]: dict(zip(head, row, strict=True)) for row in table[1:]}
    json_body = await _get(s.api, "/v1/reports/credit-control")
    r1 = json_body["accounts"][0]
    sgd = next(t for t in json_body["totals"] if t["currency"] == "SGD")
    assert by_id["R1"]["Utilisation"] == r1["utilisation_percent"]
    assert by_id["R1"]["Blacklisted"] == "True"
    assert by_id["Total SGD"]["Balance"] == sgd["balance"]

    r = await s.api.get("/v1/reports/credit-control", params={"format": "xlsx"})
    assert r.headers["content-disposition"].endswith('.xlsx"')
    ws = load_workbook(io.BytesIO(r.content))["Credit control"]
    header = next(i for i in range(1, 20) if ws.cell(i, 1).value == "Account")
    assert ws.freeze_panes == f"A{header + 1}"
    titles = [c.value for c in ws[header]]
    col = {t: n + 1 for n, t in enumerate(titles)}
    row = header + 1
    assert ws.cell(row, 1).value == "R1"
    assert ws.cell(row, col["Balance"]).value == Decimal(r1["balance"])
    assert ws.cell(row, col["Balance"]).number_format == "#,##0.00;-#,##0.00"
    assert ws.cell(row, col["Utilisation"]).value == pytest.approx(
        float(Decimal(r1["utilisation_percent"]) / 100)
    )
    assert ws.cell(row, col["Utilisation"]).number_format == "0.00%"
    total = next(i for i in range(header, ws.max_row + 1) if ws.cell(i, 1).value == "Total SGD")
    assert ws.cell(total, col["Balance"]).value == Decimal(sgd["balance"])
    assert ws.cell(total, 1).font.bold


async def test_aging_by_level_ties_to_the_ledgers_aging(stack: Stack) -> None:
    s = stack
    await _portfolio(s)
    body = await _get(s.api, "/v1/reports/aging-by-level")
    ledger = await _get(s.ledger, "/v1/reports/aging", as_of=body["as_of"])

    levels = {(g["level"], g["currency"]) for g in body["levels"]}
    assert len({lvl for lvl, _ in levels}) > 1  # more than one level to add up
    amounts = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
    amounts += ("disputed", "total", "unapplied", "net")
    ours = {t["currency"]: t for t in body["totals"]}
    for theirs in ledger["totals"]:
        mine = ours[theirs["currency"]]
        assert {k: mine[k] for k in amounts} == {k: theirs[k] for k in amounts}
        summed = sum(
            Decimal(g["total"]) for g in body["levels"] if g["currency"] == theirs["currency"]
        )
        assert summed == Decimal(theirs["total"])
    assert ours["HKD"]["days_over_90"] == "600.00"
    assert ours["SGD"]["disputed"] == "250.00"

    r = await s.api.get("/v1/reports/aging-by-level", params={"format": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content))["By level"]
    assert any(ws.cell(i, 2).value == "Total SGD" for i in range(1, ws.max_row + 1))
    hk = await _get(as_(s, CREDIT_CONTROLLER, "HK"), "/v1/reports/aging-by-level")
    assert [t["currency"] for t in hk["totals"]] == ["HKD"]

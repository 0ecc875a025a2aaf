"""Monthly reports: collection KPIs and the management pack, tied to the journal to the
cent (movements by the other side of each posting, receivables at month ends by summing
the receivables account) and to the aging report."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook  # type: ignore[import-untyped]
from sqlalchemy import text

from ledger.bootstrap import Ledger
from ledger.domain.reporting import Month, months
from servicekit.auth import COLLECTOR, CREDIT_CONTROLLER

from .api_support import assert_problem, get, pay, post
from .conftest import ClientAs, invoice, jurisdiction_code, open_account

PERIOD = {"from": "2026-01", "to": "2026-03"}


def _where() -> str:
    """A jurisdiction code no other test uses, so each test sees only its own accounts."""
    return jurisdiction_code()


async def _portfolio(client: httpx.AsyncClient, account_id: str, where: str) -> None:
    """SGD: billed 1000 in January and 1000 in February (100 credited), 800 paid in
    February, 200 written off and 300 paid in March. HKD: 500 billed in January, paid in
    March."""
    a, b = f"{account_id}-a", f"{account_id}-b"
    await open_account(client, a, jurisdiction=where)
    await open_account(client, b, currency="HKD", jurisdiction=where)
    await invoice(client, a, "I1", "1000.00", issue="2026-01-05", due="2026-02-04")
    await invoice(client, a, "I2", "1000.00", issue="2026-02-05", due="2026-03-07")
    await pay(client, a, "P1", "800.00", on="2026-02-10", allocations=[_share("I1", "800.00")])
    await post(
        client,
        f"/v1/accounts/{a}/credit-notes",
        {
            "credit_note_id": "CN1",
            "invoice_id": "I2",
            "amount": "100.00",
            "reason": "member left",
            "issued_on": "2026-02-20",
        },
    )
    await post(
        client,
        f"/v1/accounts/{a}/write-offs",
        {
            "write_off_id": "WO1",
            "invoice_id": "I1",
            "reason": "uncollectable",
            "written_off_on": "2026-03-20",
        },
    )
    await pay(client, a, "P2", "300.00", on="2026-03-31", allocations=[_share("I2", "300.00")])
    await invoice(client, b, "J1", "500.00", issue="2026-01-10", due="2026-01-31")
    await pay(client, b, "Q1", "500.00", on="2026-03-05", allocations=[_share("J1", "500.00")])


def _share(invoice_id: str, amount: str) -> dict[str, str]:
    return {"invoice_id": invoice_id, "amount": amount}


def _by(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["month"], r["currency"]): r for r in rows}


async def test_collection_kpis_per_month_and_over_the_period(
    client: httpx.AsyncClient, account_id: str
) -> None:
    where = _where()
    await _portfolio(client, account_id, where)
    body = await get(client, "/v1/reports/collections", **PERIOD, jurisdiction=where)
    rows = _by(body["months"])

    assert (body["from"], body["to"]) == ("2026-01", "2026-03")
    assert {r["jurisdiction"] for r in body["months"]} == {where}
    jan, feb, mar = (rows[(m, "SGD")] for m in ("2026-01", "2026-02", "2026-03"))
    assert (jan["invoiced"], jan["closing_receivables"], jan["closing_current"]) == (
        "1000.00",
        "1000.00",
        "1000.00",
    )
    assert (jan["dso_days"], jan["cei_percent"]) == ("31.0", None)  # nothing was collectable
    assert (feb["net_billed"], feb["credited"], feb["collected"]) == ("900.00", "100.00", "800.00")
    assert (feb["opening_receivables"], feb["closing_receivables"]) == ("1000.00", "1100.00")
    assert feb["closing_current"] == "900.00"
    assert (feb["dso_days"], feb["cei_percent"]) == ("34.2", "80.0")  # 1100/900x28; 800/1000
    assert (mar["written_off"], mar["collected"], mar["closing_receivables"]) == (
        "200.00",
        "300.00",
        "600.00",
    )
    assert (mar["dso_days"], mar["cei_percent"]) == (None, "45.5")  # 500 / 1100
    hkd = [rows[(m, "HKD")] for m in ("2026-01", "2026-02", "2026-03")]
    assert [r["cei_percent"] for r in hkd] == [None, "0.0", "100.0"]
    assert [r["closing_receivables"] for r in hkd] == ["500.00", "500.00", "0.00"]

    totals = {t["currency"]: t for t in body["totals"]}
    sgd = totals["SGD"]
    assert (sgd["net_billed"], sgd["net_collected"], sgd["written_off"]) == (
        "1900.00",
        "1100.00",
        "200.00",
    )
    assert (sgd["opening_receivables"], sgd["closing_receivables"]) == ("0.00", "600.00")
    assert (sgd["dso_days"], sgd["cei_percent"]) == ("28.4", "68.4")  # 600/1900x90; 1300/1900


async def _journal(ledger: Ledger, sql: str, **params: Any) -> dict[tuple[str, str], int]:
    async with ledger.engine.connect() as conn:
        rows = await conn.execute(text(sql), params)
        return {(m, cur): int(v) for m, cur, v in rows}


MONTHLY = """
SELECT to_char(j.effective_date, 'YYYY-MM'), j.currency, {sign} * sum(j.amount)
FROM journal j JOIN accounts a USING (account_id)
WHERE a.jurisdiction = :where AND j.ledger_account = :account AND j.event_type = :event
GROUP BY 1, 2
"""


async def test_management_pack_ties_to_the_journal_to_the_cent(
    client: httpx.AsyncClient, ledger: Ledger, account_id: str
) -> None:
    where = _where()
    await _portfolio(client, account_id, where)
    body = await get(client, "/v1/reports/management-pack", **PERIOD, jurisdiction=where)
    moved = _by(body["movements"])

    # each line against the other side of its postings
    for line, account, event, sign in (
        ("invoiced", "1100-receivables", "InvoiceIssued", 1),
        ("collected", "2100-unapplied-cash", "PaymentReceived", -1),
        ("written_off", "1100-receivables", "InvoiceWrittenOff", -1),
        ("credited", "1100-receivables", "CreditNoteIssued", -1),
    ):
        journal = await _journal(
            ledger, MONTHLY.format(sign=sign), where=where, account=account, event=event
        )
        assert journal, line
        for key, row in moved.items():
            assert Decimal(row[line]) * 100 == journal.get(key, 0), (line, key)

    # receivables at each month end: the receivables account summed, and the aging report
    trend = _by(body["aging"])
    for month, end in (
        ("2026-01", "2026-01-31"),
        ("2026-02", "2026-02-28"),
        ("2026-03", "2026-03-31"),
    ):
        balance = await _journal(
            ledger,
            "SELECT CAST(:m AS text), j.currency, sum(j.amount) FROM journal j JOIN accounts a "
            "USING (account_id) WHERE a.jurisdiction = :where AND j.ledger_account = "
            "'1100-receivables' AND j.effective_date <= :end GROUP BY 2",
            where=where,
            m=month,
            end=date.fromisoformat(end),
        )
        aging = await get(client, "/v1/reports/aging", as_of=end, jurisdiction=where)
        for (m, cur), row in trend.items():
            if m != month:
                continue
            assert row["month_end"] == end
            buckets = ("current", "days_1_30", "days_31_60", "days_61_90", "days_over_90")
            assert sum(Decimal(row[b]) for b in buckets) == Decimal(row["total"])
            assert Decimal(row["total"]) * 100 == balance.get((month, cur), 0)
            report = {t["currency"]: t for t in aging["totals"]}.get(cur)
            if report is not None:
                assert {b: row[b] for b in (*buckets, "total")} == {
                    b: report[b] for b in (*buckets, "total")
                }
    assert trend[("2026-02", "SGD")]["days_1_30"] == "200.00"


async def test_pack_downloads_a_sheet_per_part_and_a_csv_part(
    client: httpx.AsyncClient, account_id: str
) -> None:
    where = _where()
    await _portfolio(client, account_id, where)
    params = {**PERIOD, "jurisdiction": where}
    x = await client.get("/v1/reports/management-pack", params={**params, "format": "xlsx"})
    assert x.status_code == 200, x.text
    wb = load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames == ["Movements", "KPIs", "Aging trend"]
    ws = wb["KPIs"]
    header = next(r for r in ws.iter_rows() if r[0].value == "Month")
    assert ws.freeze_panes == f"A{header[0].row + 1}"
    titles = [c.value for c in header]
    cei, dso = titles.index("CEI"), titles.index("DSO (days)")
    feb = next(r for r in ws.iter_rows() if r[0].value == "2026-02" and r[1].value == "SGD")
    assert (feb[cei].value, feb[cei].number_format) == (0.8, "0.00%")
    assert (feb[dso].value, feb[dso].number_format) == (34.2, "#,##0.0;-#,##0.0")
    total = next(r for r in ws.iter_rows() if r[0].value == "Total SGD")
    assert total[0].font.bold
    c = await client.get(
        "/v1/reports/management-pack", params={**params, "format": "csv", "part": "aging"}
    )
    rows = list(csv.DictReader(io.StringIO(c.content.decode("utf-8-sig"))))
    assert {(r["Month"], r["Currency"], r["Receivables"]) for r in rows} >= {
        ("2026-03", "SGD", "600.00"),
        ("2026-02", "HKD", "500.00"),
    }


async def test_monthly_reports_refuse_bad_periods_and_other_roles(
    client: httpx.AsyncClient, client_as: ClientAs, account_id: str
) -> None:
    where = _where()
    await _portfolio(client, account_id, where)
    for params, field in (
        ({"from": "2026-13"}, "from"),
        ({"to": "26-01"}, "to"),
        ({"from": "2026-04", "to": "2026-03"}, "to"),
        ({"from": "2020-01", "to": "2026-01"}, "from"),
        ({"currency": "sgd"}, "currency"),
        ({"format": "pdf"}, "format"),
    ):
        r = await client.get("/v1/reports/collections", params=params)
        assert_problem(r, 422, field=field)
    r = await client_as(COLLECTOR).get("/v1/reports/management-pack")
    assert r.status_code == 403
    controller = client_as(CREDIT_CONTROLLER, jurisdictions=["SG"])
    mine = await get(controller, "/v1/reports/collections", **PERIOD, jurisdiction=where)
    assert mine["months"] == []
    theirs = await get(
        client_as(CREDIT_CONTROLLER, jurisdictions=[where]), "/v1/reports/collections", **PERIOD
    )
    assert {r["jurisdiction"] for r in theirs["months"]} == {where}


# -- any history: the pack ties to the journal ------------------------------------------------

_examples = count(1)
day = st.integers(0, 180).map(lambda n: date(2026, 1, 1) + timedelta(days=n))
operation = st.one_of(
    st.tuples(st.just("invoice"), st.integers(1, 500_00), day, st.integers(0, 75)),
    st.tuples(st.just("pay"), st.integers(1, 500_00), day, st.just(0)),
)
HALF_YEAR = {"from": "2026-01", "to": "2026-06"}


def _money(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(history=st.lists(operation, min_size=1, max_size=10))
async def test_any_history_ties_the_pack_to_the_journal(
    client: httpx.AsyncClient, ledger: Ledger, history: list[tuple[str, int, date, int]]
) -> None:
    where = _where()
    acc = f"PACK-{next(_examples)}"
    await open_account(client, acc, jurisdiction=where, opened_on="2025-12-01")
    for k, (kind, amount, when, terms) in enumerate(history):
        if kind == "invoice":
            due = (when + timedelta(days=terms)).isoformat()
            await invoice(client, acc, f"I{k}", _money(amount), issue=when.isoformat(), due=due)
        else:
            await pay(client, acc, f"P{k}", _money(amount), on=when.isoformat())

    body = await get(client, "/v1/reports/management-pack", **HALF_YEAR, jurisdiction=where)
    invoiced = await _journal(
        ledger,
        MONTHLY.format(sign=1),
        where=where,
        account="1100-receivables",
        event="InvoiceIssued",
    )
    collected = await _journal(
        ledger,
        MONTHLY.format(sign=-1),
        where=where,
        account="2100-unapplied-cash",
        event="PaymentReceived",
    )
    moved = _by(body["movements"])
    assert {k for k, v in invoiced.items() if v} <= set(moved)
    for key, row in moved.items():
        assert Decimal(row["invoiced"]) * 100 == invoiced.get(key, 0)
        assert Decimal(row["collected"]) * 100 == collected.get(key, 0)
    trend = _by(body["aging"])
    for m in months(Month(2026, 1), Month(2026, 6)):
        balance = await _journal(
            ledger,
            "SELECT CAST(:m AS text), j.currency, sum(j.amount) FROM journal j JOIN accounts a "
            "USING (account_id) WHERE a.jurisdiction = :where AND j.ledger_account = "
            "'1100-receivables' AND j.effective_date <= :end GROUP BY 2",
            where=where,
            m=str(m),
            end=m.last,
        )
        row = trend.get((str(m), "SGD"))
        assert (Decimal(row["total"]) * 100 if row else 0) == balance.get((str(m), "SGD"), 0)

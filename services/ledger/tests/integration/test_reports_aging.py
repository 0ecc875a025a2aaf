"""Aging report: groups, broker filter, drill-down, CSV/XLSX, and totals that tie to the
balances and the journal to the cent (hypothesis over generated histories)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook  # type: ignore[import-untyped]

from .api_support import assert_problem, get, pay
from .conftest import invoice, jurisdiction_code, open_account

AS_OF = "2026-06-30"
AMOUNTS = (
    "current",
    "days_1_30",
    "days_31_60",
    "days_61_90",
    "days_over_90",
    "disputed",
    "total",
    "unapplied",
    "net",
)


def _where() -> str:
    """A jurisdiction code no other test uses, so each test sees only its own accounts."""
    return jurisdiction_code()


async def _portfolio(client: httpx.AsyncClient, account_id: str, where: str) -> dict[str, str]:
    """Two SGD accounts of broker B1 (one with credit), one HKD of B2, one SGD without."""
    ids = {k: f"{account_id}-{k}" for k in ("a", "b", "c", "d")}
    brokers = {"a": "B1", "b": "B1", "c": "B2", "d": None}
    for k, acc in ids.items():
        await open_account(
            client,
            acc,
            currency="HKD" if k == "c" else "SGD",
            jurisdiction=where,
            broker_id=f"{where}-{brokers[k]}" if brokers[k] else None,
        )
    await invoice(client, ids["a"], "I1", "100.00", due="2026-06-30")  # current
    await invoice(client, ids["a"], "I2", "200.00", due="2026-05-15")  # 46 days
    await invoice(client, ids["b"], "I1", "50.00", due="2026-03-01")  # over 90
    await pay(client, ids["b"], "P1", "80.00", on="2026-03-10", allocations=[])  # credit
    await invoice(client, ids["c"], "I1", "999.99", due="2026-06-20")  # 10 days
    await invoice(client, ids["d"], "I1", "1.00", due="2026-06-01")  # 29 days
    return ids


async def test_group_by_broker_and_currency_never_adds_currencies(
    client: httpx.AsyncClient, account_id: str
) -> None:
    where = _where()
    await _portfolio(client, account_id, where)

    by_broker = await get(
        client, "/v1/reports/aging", as_of=AS_OF, jurisdiction=where, group_by="broker"
    )
    by_currency = await get(
        client, "/v1/reports/aging", as_of=AS_OF, jurisdiction=where, group_by="currency"
    )

    groups = {(g["key"], g["currency"]): g for g in by_broker["groups"]}
    assert set(groups) == {(f"{where}-B1", "SGD"), (f"{where}-B2", "HKD"), (None, "SGD")}
    b1 = groups[(f"{where}-B1", "SGD")]
    assert (b1["accounts"], b1["total"], b1["unapplied"], b1["net"]) == (
        2,
        "350.00",
        "80.00",
        "270.00",
    )
    assert (b1["current"], b1["days_31_60"], b1["days_over_90"]) == ("100.00", "200.00", "50.00")
    currencies = {g["key"]: g for g in by_currency["groups"]}
    assert currencies["SGD"]["net"] == "271.00"
    assert currencies["HKD"]["days_1_30"] == "999.99"
    assert {t["currency"]: t["net"] for t in by_broker["totals"]} == {
        "SGD": "271.00",
        "HKD": "999.99",
    }


async def test_broker_filter_and_drill_down_to_invoices(
    client: httpx.AsyncClient, account_id: str
) -> None:
    where = _where()
    ids = await _portfolio(client, account_id, where)

    of_b1 = await get(client, "/v1/reports/aging", as_of=AS_OF, broker_id=f"{where}-B1")
    items = await get(client, "/v1/reports/aging/invoices", as_of=AS_OF, jurisdiction=where)
    late = await get(
        client, "/v1/reports/aging/invoices", as_of=AS_OF, jurisdiction=where, bucket="days_31_60"
    )

    assert [a["account_id"] for a in of_b1["accounts"]] == [ids["a"], ids["b"]]
    assert [(i["account_id"], i["invoice_id"], i["bucket"]) for i in late["invoices"]] == [
        (ids["a"], "I2", "days_31_60")
    ]
    assert late["invoices"][0]["days_past_due"] == 46
    assert {t["currency"]: t["open_amount"] for t in items["totals"]} == {
        "SGD": "351.00",
        "HKD": "999.99",
    }


async def test_aging_downloads_as_csv_and_xlsx_with_the_same_figures(
    client: httpx.AsyncClient, account_id: str
) -> None:
    where = _where()
    await _portfolio(client, account_id, where)
    params = {"as_of": AS_OF, "jurisdiction": where, "group_by": "broker"}
    body = await get(client, "/v1/reports/aging", **params)

    c = await client.get("/v1/reports/aging", params={**params, "format": "csv"})
    x = await client.get(
        "/v1/reports/aging",
        params=params,
        headers={"Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )

    assert c.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(c.content.decode("utf-8-sig"))))
    totals = {r["Broker"]: r["Net"] for r in rows if r["Broker"].startswith("Total")}
    assert totals == {f"Total {t['currency']}": t["net"] for t in body["totals"]}
    wb = load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames == ["By broker", "Accounts"]
    ws = wb["By broker"]
    header = next(r for r in ws.iter_rows() if r[0].value == "Broker")
    assert ws.freeze_panes == f"A{header[0].row + 1}"
    net = [c.value for c in header].index("Net")
    total_rows = [r for r in ws.iter_rows() if str(r[0].value).startswith("Total")]
    assert {r[0].value: Decimal(str(r[net].value)) for r in total_rows} == {
        f"Total {t['currency']}": Decimal(t["net"]) for t in body["totals"]
    }
    assert all(r[net].font.bold for r in total_rows)


async def test_unknown_formats_and_groupings_are_refused(client: httpx.AsyncClient) -> None:
    for params, field in (
        ({"format": "html"}, "format"),
        ({"group_by": "colour"}, "group_by"),
        ({"broker_id": "no spaces"}, "broker_id"),
    ):
        assert_problem(await client.get("/v1/reports/aging", params=params), 422, field=field)
    r = await client.get("/v1/reports/aging/invoices", params={"bucket": "days_1_29"})
    assert_problem(r, 422, field="bucket")
    r = await client.get("/v1/reports/aging", headers={"Accept": "image/png"})
    assert r.status_code == 406


# -- totals tie out: generated histories ---------------------------------------------------

_examples = count(1)
day = st.integers(0, 150).map(lambda n: date(2026, 1, 1) + timedelta(days=n))
cents = st.integers(1, 500_00)
operation = st.one_of(
    st.tuples(st.just("invoice"), cents, day, st.integers(0, 60)),
    st.tuples(st.just("pay"), cents, day, st.just(0)),
    st.tuples(st.just("credit"), cents, day, st.just(0)),
)


def _money(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def _sum(values: list[str]) -> Decimal:
    return sum((Decimal(v) for v in values), Decimal(0))


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(histories=st.lists(st.lists(operation, max_size=8), min_size=1, max_size=3), on=day)
async def test_aging_ties_to_balances_and_journal_to_the_cent(
    client: httpx.AsyncClient, histories: list[list[tuple[str, int, date, int]]], on: date
) -> None:
    where = _where()
    accounts = []
    for n, history in enumerate(histories):
        acc = f"TIE-{next(_examples)}-{n}"
        accounts.append(acc)
        await open_account(client, acc, jurisdiction=where, opened_on="2025-12-01")
        invoices = []
        for k, (kind, amount, when, terms) in enumerate(history):
            ref = f"{kind}-{k}"
            if kind == "invoice":
                await invoice(
                    client,
                    acc,
                    ref,
                    _money(amount),
                    issue=when.isoformat(),
                    due=(when + timedelta(days=terms)).isoformat(),
                )
                invoices.append((ref, when))
            elif kind == "pay":
                await pay(client, acc, ref, _money(amount), on=when.isoformat())
            elif invoices:  # a credit note, refused (422) when above what is open
                target, issued = invoices[-1]
                await client.post(
                    f"/v1/accounts/{acc}/credit-notes",
                    json={
                        "credit_note_id": ref,
                        "invoice_id": target,
                        "amount": _money(amount),
                        "reason": "generated",
                        "issued_on": max(when, issued).isoformat(),
                    },
                )

    report = await get(client, "/v1/reports/aging", as_of=on.isoformat(), jurisdiction=where)
    items = await get(
        client, "/v1/reports/aging/invoices", as_of=on.isoformat(), jurisdiction=where
    )
    rows = {r["account_id"]: r for r in report["accounts"]}
    for acc in accounts:
        b = await get(client, f"/v1/accounts/{acc}/balance", as_of=on.isoformat())
        row = rows.get(acc, dict.fromkeys(AMOUNTS, "0.00"))
        assert (row["net"], row["total"], row["unapplied"]) == (
            b["balance"],
            b["open"],
            b["unapplied"],
        )
        journal = await get(client, f"/v1/accounts/{acc}/journal", limit=5000)
        per_ledger: dict[str, Decimal] = defaultdict(Decimal)
        for line in journal["lines"]:
            if date.fromisoformat(line["effective_date"]) <= on:
                signed = Decimal(line["debit"] or 0) - Decimal(line["credit"] or 0)
                per_ledger[line["ledger_account"]] += signed
        assert Decimal(row["total"]) == per_ledger["1100-receivables"]
        assert Decimal(row["unapplied"]) == -per_ledger["2100-unapplied-cash"]
    for total in report["totals"]:
        mine = [r for r in report["accounts"] if r["currency"] == total["currency"]]
        for k in AMOUNTS:
            assert Decimal(total[k]) == _sum([r[k] for r in mine])
        buckets = _sum([total[k] for k in AMOUNTS[:5]])
        assert buckets == Decimal(total["total"])
        drilled = _sum([i["open_amount"] for i in items["invoices"]])
        assert drilled == Decimal(total["total"])

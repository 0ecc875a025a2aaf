"""HTTP contract: balances as of an effective date and as known at a recorded time; aging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from .api_support import assert_problem, balance, get, pay, post
from .conftest import invoice, jurisdiction_code, open_account


async def test_balance_as_of_gives_the_figure_of_that_day(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "1000.00", issue="2026-01-01", due="2026-01-31")
    await pay(client, account_id, "PAY-1", "400.00", on="2026-02-10")

    def figures(b: dict[str, Any]) -> tuple[str, str, str]:
        return b["balance"], b["overdue"], b["unapplied"]

    assert figures(await balance(client, account_id, as_of="2025-12-31")) == (
        "0.00",
        "0.00",
        "0.00",
    )
    assert figures(await balance(client, account_id, as_of="2026-01-15")) == (
        "1000.00",
        "0.00",
        "0.00",
    )
    # due on the 31st: overdue from the next day
    assert figures(await balance(client, account_id, as_of="2026-01-31")) == (
        "1000.00",
        "0.00",
        "0.00",
    )
    assert figures(await balance(client, account_id, as_of="2026-02-01")) == (
        "1000.00",
        "1000.00",
        "0.00",
    )
    b = await balance(client, account_id, as_of="2026-02-10")
    assert b == {
        "account_id": account_id,
        "currency": "SGD",
        "as_of": "2026-02-10",
        "known_at": None,
        "balance": "600.00",
        "open": "600.00",
        "overdue": "600.00",
        "disputed": "0.00",
        "unapplied": "0.00",
    }


async def test_balance_defaults_to_today(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "10.00")
    b = await balance(client, account_id)
    assert b["balance"] == "10.00"
    assert b["as_of"] >= "2026-01-01"


async def test_balance_is_open_items_less_unapplied_credit(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    await invoice(client, account_id, "INV-2", "70.00")
    await pay(
        client,
        account_id,
        "PAY-1",
        "90.00",
        allocations=[{"invoice_id": "INV-1", "amount": "60.00"}],
    )
    b = await balance(client, account_id, as_of="2026-01-10")
    assert (b["open"], b["unapplied"], b["balance"]) == ("110.00", "30.00", "80.00")
    summary = (await get(client, f"/v1/accounts/{account_id}"))["summary"]
    assert (summary["open"], summary["unapplied"], summary["balance"]) == (
        "110.00",
        "30.00",
        "80.00",
    )


async def test_balance_known_at_ignores_what_was_recorded_later(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "1000.00", issue="2026-01-01", due="2026-01-31")
    await pay(client, account_id, "PAY-1", "400.00", on="2026-02-10")
    history = await get(client, f"/v1/accounts/{account_id}/events")
    known = history["events"][-1]["recorded_at"]
    before_invoice = history["events"][0]["recorded_at"]

    # recorded now, effective in January: a backdated credit note
    await post(
        client,
        f"/v1/accounts/{account_id}/credit-notes",
        {
            "credit_note_id": "CN-1",
            "invoice_id": "INV-1",
            "amount": "100.00",
            "reason": "backdated correction",
            "issued_on": "2026-01-20",
        },
    )

    assert (await balance(client, account_id, as_of="2026-02-10"))["balance"] == "500.00"
    then = await balance(client, account_id, as_of="2026-02-10", known_at=known)
    assert then["balance"] == "600.00"
    assert then["known_at"] is not None
    assert (await balance(client, account_id, as_of="2026-02-10", known_at=before_invoice))[
        "balance"
    ] == "0.00"
    # both clocks together: the January figure as known before the correction
    assert (await balance(client, account_id, as_of="2026-01-25", known_at=known))[
        "balance"
    ] == "1000.00"
    assert (await balance(client, account_id, as_of="2026-01-25"))["balance"] == "900.00"


async def test_known_at_without_an_offset_is_utc(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "10.00")
    recorded = (await get(client, f"/v1/accounts/{account_id}/events"))["events"][-1]
    at = datetime.fromisoformat(recorded["recorded_at"]).astimezone(UTC)
    naive = at.replace(tzinfo=None).isoformat()
    b = await balance(client, account_id, as_of="2026-01-31", known_at=naive)
    assert b["known_at"] == at.isoformat()
    assert b["balance"] == "10.00"
    earlier = (at - timedelta(microseconds=1)).replace(tzinfo=None).isoformat()
    assert (await balance(client, account_id, as_of="2026-01-31", known_at=earlier))[
        "balance"
    ] == "0.00"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"as_of": "2026-13-01"}, "as_of"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"known_at": "last week"}, "known_at"),
    ],
)
async def test_bad_balance_dates_are_422(
    client: httpx.AsyncClient, account_id: str, params: dict[str, str], field: str
) -> None:
    await open_account(client, account_id)
    r = await client.get(f"/v1/accounts/{account_id}/balance", params=params)
    assert_problem(r, 422, field=field, rule="validation")


# -- aging ---------------------------------------------------------------------------

AS_OF = "2026-06-30"


def _jurisdiction() -> str:
    """A jurisdiction of the test's own, so report totals hold only its accounts."""
    return jurisdiction_code()


async def _aging_fixture(client: httpx.AsyncClient, account_id: str, where: str) -> dict[str, str]:
    """Three accounts in jurisdiction ``where``: SGD items in every bucket, JPY with open
    items and credit, SGD with credit only."""
    a, b, c = f"{account_id}-A", f"{account_id}-B", f"{account_id}-C"
    await open_account(client, a, jurisdiction=where)
    for inv, amount, due in [
        ("CUR", "1.00", "2026-06-30"),  # due today: current
        ("D1", "10.00", "2026-06-29"),  # 1 day
        ("D30", "100.00", "2026-05-31"),  # 30 days
        ("D31", "1000.00", "2026-05-30"),  # 31 days, disputed below
        ("D60", "0.01", "2026-05-01"),  # 60 days
        ("D61", "0.10", "2026-04-30"),  # 61 days
        ("D90", "2.00", "2026-04-01"),  # 90 days
        ("D91", "20.00", "2026-03-31"),  # 91 days, 3.00 paid
    ]:
        await invoice(client, a, inv, amount, issue="2026-01-01", due=due)
    await invoice(client, a, "FUT", "5.00", issue="2026-06-15", due="2026-07-31")
    await invoice(client, a, "LATER", "999.00", issue="2026-07-01", due="2026-07-31")
    await post(
        client,
        f"/v1/accounts/{a}/invoices/D31/dispute",
        {"reason": "wrong members", "disputed_on": "2026-06-01"},
    )
    await pay(
        client,
        a,
        "PAY-1",
        "3.00",
        on="2026-06-10",
        allocations=[{"invoice_id": "D91", "amount": "3.00"}],
    )
    await pay(
        client,
        a,
        "PAY-2",
        "1.00",
        on="2026-07-05",  # after the report date
        allocations=[{"invoice_id": "CUR", "amount": "1.00"}],
    )

    await open_account(client, b, currency="JPY", jurisdiction=where)
    await invoice(client, b, "I1", "50000", issue="2026-05-01", due="2026-06-01")
    await invoice(client, b, "I2", "30000", issue="2026-05-20", due="2026-06-20")
    await pay(
        client,
        b,
        "PAY-1",
        "40000",
        on="2026-06-15",
        allocations=[{"invoice_id": "I1", "amount": "20000"}],
    )

    await open_account(client, c, jurisdiction=where)
    await pay(client, c, "PAY-1", "75.50", on="2026-06-01")
    return {"sgd": a, "jpy": b, "credit": c}


async def test_aging_buckets_by_days_past_due(client: httpx.AsyncClient, account_id: str) -> None:
    where = _jurisdiction()
    ids = await _aging_fixture(client, account_id, where)
    report = await get(client, "/v1/reports/aging", as_of=AS_OF, jurisdiction=where)
    assert report["as_of"] == AS_OF
    assert report["buckets"] == ["current", "days_1_30", "days_31_60", "days_61_90", "days_over_90"]
    rows = {r["account_id"]: r for r in report["accounts"]}

    assert rows[ids["sgd"]] == {
        "account_id": ids["sgd"],
        "name": f"Customer {ids['sgd']}",
        "currency": "SGD",
        "jurisdiction": where,
        "broker_id": None,
        "current": "6.00",
        "days_1_30": "110.00",
        "days_31_60": "1000.01",
        "days_61_90": "2.10",
        "days_over_90": "17.00",
        "disputed": "1000.00",  # in its bucket (31-60) and shown apart
        "total": "1135.11",
        "unapplied": "0.00",
        "net": "1135.11",
    }
    jpy = rows[ids["jpy"]]
    assert (jpy["current"], jpy["days_1_30"], jpy["total"], jpy["unapplied"], jpy["net"]) == (
        "0",
        "60000",
        "60000",
        "20000",
        "40000",
    )


async def test_aging_totals_per_currency(client: httpx.AsyncClient, account_id: str) -> None:
    where = _jurisdiction()
    await _aging_fixture(client, account_id, where)
    report = await get(client, "/v1/reports/aging", as_of=AS_OF, jurisdiction=where)
    totals = {t["currency"]: t for t in report["totals"]}
    assert set(totals) == {"JPY", "SGD"}  # never summed across currencies
    assert totals["SGD"] == {
        "currency": "SGD",
        "current": "6.00",
        "days_1_30": "110.00",
        "days_31_60": "1000.01",
        "days_61_90": "2.10",
        "days_over_90": "17.00",
        "disputed": "1000.00",
        "total": "1135.11",
        "unapplied": "75.50",
        "net": "1059.61",
    }
    assert (totals["JPY"]["total"], totals["JPY"]["unapplied"], totals["JPY"]["net"]) == (
        "60000",
        "20000",
        "40000",
    )


async def test_aging_agrees_with_every_balance_to_the_cent(
    client: httpx.AsyncClient, account_id: str
) -> None:
    where = _jurisdiction()
    ids = await _aging_fixture(client, account_id, where)
    report = await get(client, "/v1/reports/aging", as_of=AS_OF, jurisdiction=where)
    rows = {r["account_id"]: r for r in report["accounts"]}
    assert set(rows) == set(ids.values())  # an account in credit is in the report too
    for account, row in rows.items():
        b = await balance(client, account, as_of=AS_OF)
        assert (row["net"], row["total"], row["unapplied"], row["disputed"]) == (
            b["balance"],
            b["open"],
            b["unapplied"],
            b["disputed"],
        ), account
        overdue = sum(int(row[k].replace(".", "")) for k in report["buckets"][1:])
        assert overdue == int(b["overdue"].replace(".", "")), account
    assert rows[ids["credit"]]["net"] == "-75.50"


async def test_aging_filters_by_currency_and_jurisdiction(
    client: httpx.AsyncClient, account_id: str
) -> None:
    where = _jurisdiction()
    ids = await _aging_fixture(client, account_id, where)
    jpy = await get(client, "/v1/reports/aging", as_of=AS_OF, jurisdiction=where, currency="JPY")
    assert [r["account_id"] for r in jpy["accounts"]] == [ids["jpy"]]
    assert [t["currency"] for t in jpy["totals"]] == ["JPY"]
    sgd = await get(client, "/v1/reports/aging", as_of=AS_OF, jurisdiction=where, currency="SGD")
    assert {r["account_id"] for r in sgd["accounts"]} == {ids["sgd"], ids["credit"]}
    nobody = await get(client, "/v1/reports/aging", as_of=AS_OF, jurisdiction=_jurisdiction())
    assert (nobody["accounts"], nobody["totals"]) == ([], [])
    everyone = await get(client, "/v1/reports/aging", as_of=AS_OF)
    assert set(ids.values()) <= {r["account_id"] for r in everyone["accounts"]}


async def test_aging_as_of_an_earlier_date(client: httpx.AsyncClient, account_id: str) -> None:
    where = _jurisdiction()
    ids = await _aging_fixture(client, account_id, where)
    report = await get(client, "/v1/reports/aging", as_of="2026-03-31", jurisdiction=where)
    rows = {r["account_id"]: r for r in report["accounts"]}
    # nothing was past due yet (D91 fell due that day), no dispute had been raised, the
    # later invoices were not issued
    row = rows[ids["sgd"]]
    assert (row["current"], row["days_1_30"], row["disputed"], row["total"]) == (
        "1133.11",
        "0.00",
        "0.00",
        "1133.11",
    )
    assert ids["jpy"] not in rows  # its invoices came later
    assert ids["credit"] not in rows  # so did its payment


async def test_aging_as_known_at_a_recorded_time(
    client: httpx.AsyncClient, account_id: str
) -> None:
    where = _jurisdiction()
    ids = await _aging_fixture(client, account_id, where)
    history = await get(client, f"/v1/accounts/{ids['sgd']}/events")
    before_dispute = next(
        e["recorded_at"] for e in history["events"] if e["type"] == "InvoiceDisputed"
    )
    # the same day, as known before the dispute and the payments were recorded
    report = await get(
        client,
        "/v1/reports/aging",
        as_of=AS_OF,
        jurisdiction=where,
        known_at=(datetime.fromisoformat(before_dispute) - timedelta(microseconds=1)).isoformat(),
    )
    assert report["known_at"] is not None
    rows = {r["account_id"]: r for r in report["accounts"]}
    assert (rows[ids["sgd"]]["disputed"], rows[ids["sgd"]]["days_over_90"]) == ("0.00", "20.00")
    assert ids["credit"] not in rows


async def test_aging_refuses_a_bad_currency_filter(client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/reports/aging", params={"currency": "sgd"})
    assert_problem(r, 422, field="currency", rule="validation")

"""Payment-partner reconciliation: transactions expected from a gateway against its
settlement file (fees withheld), as JSON, CSV and XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from .conftest import World

MAPPING = {
    "columns": {
        "entry_ref": "Txn ID",
        "value_date": "Settlement date",
        "gross": "Gross",
        "fee": "MDR",
        "amount": "Net",
        "payer_name": "Customer",
    },
    "currency": "SGD",
    "bank_account": "STRIPE-SG",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def settlement(tag: str, *rows: str) -> bytes:
    return ("Txn ID,Settlement date,Customer,Gross,MDR,Net\n" + "".join(
        f"{tag}-{r}\n" for r in rows
    )).encode()  # fmt: skip


async def expect(world: World, *items: tuple[str, str, str]) -> Any:
    body = {
        "transactions": [
            {
                "reference": f"{world.tag}-{ref}",
                "amount": amount,
                "currency": "SGD",
                "expected_on": on,
                "account_id": "ACC-9",
            }
            for ref, amount, on in items
        ]
    }
    return await world.api.post("/v1/partners/STRIPE/expected", json=body)


async def _setup(world: World) -> None:
    assert (await world.api.put("/v1/partners/STRIPE/csv-mapping", json=MAPPING)).status_code == 200
    r = await expect(
        world,
        ("T1", "100.00", "2026-02-10"),
        ("T2", "50.00", "2026-02-10"),
        ("T3", "20.00", "2026-02-10"),
        ("T4", "30.00", "2026-02-10"),
    )
    assert r.json() == {"partner_id": "STRIPE", "added": 4, "unchanged": 0}, r.text
    raw = settlement(
        world.tag,
        "T1,2026-02-10,Bedok Bakery,100.00,-2.50,97.50",
        "T2,2026-02-10,Tampines Tiles,45.00,1.00,44.00",
        "T4,2026-02-11,Yishun Yoga,30.00,0.60,29.40",
        "T9,2026-02-10,Unknown,,,10.00",
    )
    r = await world.api.post(
        "/v1/imports",
        params={"format": "csv", "partner": "STRIPE", "process": "false"},
        content=raw,
    )
    assert r.status_code == 201, r.text
    assert r.json()["partner_id"] == "STRIPE"


async def test_expected_against_settled_with_fees_and_differences(world: World) -> None:
    await _setup(world)

    r = await world.api.get(
        "/v1/reconciliation", params={"partner": "STRIPE", "from": "2026-02-10", "to": "2026-02-10"}
    )

    assert r.status_code == 200, r.text
    body = r.json()
    [day] = body["days"]
    assert day == {
        "partner_id": "STRIPE",
        "settlement_date": "2026-02-10",
        "currency": "SGD",
        "expected_count": 4,
        "expected": "200.00",
        "settled_count": 3,
        "gross": "155.00",
        "fees": "3.50",
        "net": "151.50",
        "agreed": 1,
        "differences": 4,
    }
    diffs = {d["reference"].removeprefix(world.tag + "-"): d for d in body["differences"]}
    assert {k: (d["kind"], d["difference"]) for k, d in diffs.items()} == {
        "T2": ("amount_differs", "-5.00"),
        "T3": ("not_settled", "-20.00"),
        "T4": ("other_date", "0.00"),
        "T9": ("not_expected", "10.00"),
    }
    assert diffs["T4"]["settled_on"] == "2026-02-11"
    assert diffs["T3"]["account_id"] == "ACC-9"
    assert diffs["T9"]["line_id"].startswith("CASH-")
    [line] = [x for x in await world.lines() if x["entry_ref"] == f"{world.tag}-T1"]
    assert (line["amount"], line["fee"]) == ("97.50", "2.50")


async def test_the_report_as_csv_and_xlsx(world: World) -> None:
    await _setup(world)
    period = {"from": "2026-02-01", "to": "2026-02-28"}
    body = (await world.api.get("/v1/reconciliation", params=period)).json()

    r = await world.api.get(
        "/v1/reconciliation", params={**period, "format": "csv", "table": "differences"}
    )
    x = await world.api.get("/v1/reconciliation", params=period, headers={"Accept": XLSX})

    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [(w["Reference"], w["Settled less expected"]) for w in rows] == [
        (d["reference"], d["difference"]) for d in body["differences"]
    ]
    assert x.status_code == 200
    book = load_workbook(io.BytesIO(x.content))
    assert book.sheetnames == ["By settlement date", "Differences"]
    values = [c.value for row in book["By settlement date"].iter_rows() for c in row]
    assert "Total" in values
    assert book["By settlement date"].freeze_panes is not None


async def test_uploads_are_idempotent_and_conflicts_write_nothing(world: World) -> None:
    await _setup(world)

    again = await expect(world, ("T1", "100.00", "2026-02-10"), ("T5", "5.00", "2026-02-12"))
    changed = await expect(world, ("T6", "6.00", "2026-02-12"), ("T1", "99.00", "2026-02-10"))
    withdrawn = await world.api.delete(f"/v1/partners/STRIPE/expected/{world.tag}-T3")
    gone = await world.api.delete(f"/v1/partners/STRIPE/expected/{world.tag}-T3")

    assert again.json() == {"partner_id": "STRIPE", "added": 1, "unchanged": 1}
    assert changed.status_code == 409
    assert (changed.json()["rule"], changed.json()["field"]) == (
        "expected-conflict",
        "transactions[1]",
    )
    assert withdrawn.status_code == 204
    assert gone.status_code == 404
    body = (
        await world.api.get(
            "/v1/reconciliation",
            params={"partner": "STRIPE", "from": "2026-02-10", "to": "2026-02-12"},
        )
    ).json()
    refs = {d["reference"].removeprefix(world.tag + "-") for d in body["differences"]}
    assert refs == {"T2", "T4", "T5", "T9"}  # T3 withdrawn, T6 never kept


async def test_bad_requests_are_refused(world: World) -> None:
    cases = [
        ({"reference": "A", "amount": "1.001", "currency": "SGD"}, "transactions[0].amount"),
        ({"reference": "A", "amount": "1.00", "currency": "ZZZ"}, "transactions[0].currency"),
        ({"reference": "A b", "amount": "1.00", "currency": "SGD"}, "transactions[0].reference"),
    ]
    for item, field in cases:
        body = {"transactions": [{**item, "expected_on": "2026-02-10"}]}
        r = await world.api.post("/v1/partners/STRIPE/expected", json=body)
        assert r.status_code == 422, r.text
        assert r.json()["field"] == field, r.text
    twice = [{"reference": "A", "amount": "1.00", "currency": "SGD", "expected_on": "2026-02-10"}]
    r = await world.api.post("/v1/partners/STRIPE/expected", json={"transactions": twice * 2})
    assert (r.status_code, r.json()["field"]) == (422, "transactions[1].reference")
    r = await world.api.get("/v1/reconciliation", params={"from": "2026-03-01", "to": "2026-02-01"})
    assert (r.status_code, r.json()["field"]) == (422, "to")
    r = await world.api.get("/v1/reconciliation", params={"from": "2024-01-01", "to": "2026-02-01"})
    assert (r.status_code, r.json()["field"]) == (422, "from")
    r = await world.api.get("/v1/reconciliation", params={"partner": "STRIPE"})
    assert (r.status_code, r.json()["differences"]) == (200, [])


async def test_a_settlement_row_whose_fee_does_not_add_up_is_refused(world: World) -> None:
    await world.api.put("/v1/partners/STRIPE/csv-mapping", json=MAPPING)
    raw = settlement(world.tag, "T1,2026-02-10,A,100.00,2.50,97.00")
    r = await world.api.post(
        "/v1/imports", params={"format": "csv", "partner": "STRIPE"}, content=raw
    )
    assert r.status_code == 422
    assert r.json()["detail"] == "line 2: Gross 100.00 less MDR 2.50 is not 97.00"
    assert await world.lines() == []


async def test_the_customer_is_credited_with_what_they_paid_fee_included(world: World) -> None:
    acc = await world.account("A", "Bedok Bakery")
    inv = await world.invoice(acc, "INV-1", "100.00")
    await world.sync()
    columns = {**MAPPING["columns"], "remittance": "Order"}
    await world.api.put("/v1/partners/STRIPE/csv-mapping", json={**MAPPING, "columns": columns})
    raw = (
        "Txn ID,Settlement date,Customer,Order,Gross,MDR,Net\n"
        f"{world.tag}-T1,2026-02-10,Bedok Bakery,{inv},100.00,2.95,97.05\n"
    ).encode()

    r = await world.api.post(
        "/v1/imports", params={"format": "csv", "partner": "STRIPE"}, content=raw
    )

    assert r.json()["status"] == {"matched": 1}, r.text
    assert await world.open_amount(acc, inv) == "0.00"
    summary = await world.summary(acc)
    assert (summary["paid"], summary["written_off"]) == ("100.00", "0.00")

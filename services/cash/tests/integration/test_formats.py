"""MT940 statements and partner CSV files with a saved column mapping."""

from __future__ import annotations

from .conftest import World


def mt940(tag: str, inv: str, amount: str = "1250,00") -> bytes:
    """A statement in the structure of SWIFT's MT940 example: :20: :25: :28C: :60F:,
    :61: entries with their :86: information, :62F:."""
    return f""":20:STMT{tag}
:25:DBSSSGSGXXX/0721234567
:28C:00042/001
:60F:C260209SGD0,00
:61:2602100210C{amount}NTRFE2E-{tag}//{tag}-0001
:86:/ORDP//NAME/ANG MO KIO TRADING/REMI/{inv}
:61:2602110211D12,00NCHGNONREF//{tag}-0002
:86:ACCOUNT FEE FEBRUARY
:62F:C260211SGD1238,00
""".encode()


async def test_an_mt940_statement_is_matched_and_posted(world: World) -> None:
    acc = await world.account("A", "Ang Mo Kio Trading")
    inv = await world.invoice(acc, "INV-1", "1250.00")
    await world.sync()

    r = await world.api.post("/v1/imports", content=mt940(world.tag, inv))

    assert r.status_code == 201, r.text
    assert r.json()["format"] == "mt940"
    assert r.json()["status"] == {"matched": 1, "ignored": 1}
    assert await world.open_amount(acc, inv) == "0.00"
    [line] = await world.lines("matched")
    assert line["entry_ref"] == f"{world.tag}-0001"
    assert line["payer_name"] == "ANG MO KIO TRADING"
    assert line["line_no"] == 5


async def test_a_malformed_mt940_entry_is_refused_with_its_line(world: World) -> None:
    r = await world.api.post("/v1/imports", content=mt940(world.tag, "X", amount="12x0,00"))
    assert r.status_code == 422
    assert r.json()["detail"].startswith("line 5: a :61: entry")
    assert await world.lines() == []


MAPPING = {
    "columns": {
        "amount": "Net amount",
        "value_date": "Settled",
        "entry_ref": "Transaction",
        "payer_name": "Customer",
        "remittance": "Description",
    },
    "currency": "SGD",
    "bank_account": "GRABPAY-SG",
    "date_format": "%d/%m/%Y",
}


async def test_a_partner_csv_is_read_with_its_saved_mapping(world: World) -> None:
    acc = await world.account("A", "Bedok Bakery")
    inv = await world.invoice(acc, "INV-1", "80.00")
    await world.sync()
    saved = await world.api.put("/v1/partners/GRABPAY/csv-mapping", json=MAPPING)
    assert saved.status_code == 200, saved.text
    csv = (
        "Transaction,Settled,Customer,Description,Net amount\n"
        f"{world.tag}-T1,10/02/2026,Bedok Bakery,{inv},80.00\n"
    ).encode()

    r = await world.api.post(
        "/v1/imports", params={"format": "csv", "partner": "GRABPAY"}, content=csv
    )

    assert r.status_code == 201, r.text
    assert r.json()["status"] == {"matched": 1}
    assert await world.open_amount(acc, inv) == "0.00"


async def test_a_bad_csv_row_names_its_line_and_keeps_nothing(world: World) -> None:
    await world.api.put("/v1/partners/GRABPAY/csv-mapping", json=MAPPING)
    csv = (
        "Transaction,Settled,Customer,Description,Net amount\n"
        f"{world.tag}-T1,10/02/2026,A,x,80.00\n"
        f"{world.tag}-T2,2026-02-10,B,y,10.00\n"
    ).encode()
    r = await world.api.post(
        "/v1/imports", params={"format": "csv", "partner": "GRABPAY"}, content=csv
    )
    assert r.status_code == 422
    assert r.json()["detail"].startswith("line 3: time data '2026-02-10'")
    assert await world.lines() == []


async def test_a_file_that_is_not_csv_is_refused_by_line(world: World) -> None:
    await world.api.put("/v1/partners/GRABPAY/csv-mapping", json=MAPPING)
    header = b"Transaction,Settled,Customer,Description,Net amount\n"
    for content, line in ((b"<a>" * 50_000, 1), (header + b"T1," + b"x" * 200_000, 2)):
        r = await world.api.post(
            "/v1/imports", params={"format": "csv", "partner": "GRABPAY"}, content=content
        )
        assert r.status_code == 422, r.text  # a header or a field past csv's limit
        assert r.json()["detail"].startswith(f"line {line}: not CSV: field larger"), r.text
    assert await world.lines() == []


async def test_a_csv_needs_a_saved_mapping_and_a_mapping_its_columns(world: World) -> None:
    r = await world.api.post(
        "/v1/imports", params={"format": "csv", "partner": "NOPE"}, content=b"a,b\n1,2\n"
    )
    assert r.status_code == 404
    assert r.json()["field"] == "partner"
    bad = {**MAPPING, "columns": {"amount": "Net amount"}}
    r = await world.api.put("/v1/partners/X/csv-mapping", json=bad)
    assert r.status_code == 422
    assert "value_date" in r.json()["detail"]


async def test_a_statement_may_be_larger_than_other_bodies(world: World) -> None:
    big = b"<x/>" + b" " * (2 * 1024 * 1024)  # past the 1 MiB of other routes
    r = await world.api.post("/v1/imports", content=big)
    assert (r.status_code, r.json()["rule"]) == (422, "invalid-statement"), r.text
    r = await world.api.put("/v1/partners/GRABPAY/csv-mapping", content=big)
    assert (r.status_code, r.json()["rule"]) == (413, "body-too-large")

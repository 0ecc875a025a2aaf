"""Importing camt.053 statements: matched by reference and posted to the ledger, once."""

from __future__ import annotations

from .conftest import World
from .samples import Entry, camt053


async def test_reference_match_posts_and_allocates_in_the_ledger(world: World) -> None:
    acc = await world.account("A", "Harbour Freight Pte Ltd")
    inv = await world.invoice(acc, "INV-1", "1250.00")
    await world.sync()
    raw = camt053([Entry(world.id("E1"), "1250.00", "HARBOUR FREIGHT", f"Invoice {inv}")])

    r = await world.upload(raw, filename="dbs-2026-02-10.xml")

    assert r.status_code == 201, r.text
    assert r.json()["status"] == {"matched": 1}
    assert await world.open_amount(acc, inv) == "0.00"
    [line] = await world.lines()
    assert line["account_id"] == acc
    assert line["score"] >= 75
    assert line["postings"][0]["allocations"] == [{"invoice_id": inv, "amount": "1250.00"}]
    payments = (await world.ledger.get(f"/v1/accounts/{acc}/events")).json()["events"]
    received = [e for e in payments if e["type"] == "PaymentReceived"]
    assert received[0]["data"]["payment_id"] == line["line_id"]


async def test_the_same_file_twice_changes_nothing(world: World) -> None:
    acc = await world.account("A", "Kowloon Traders Ltd")
    inv = await world.invoice(acc, "INV-1", "1000.00")
    await world.sync()
    raw = camt053([Entry(world.id("E1"), "400.00", "", inv)])

    first = await world.upload(raw)
    again = await world.upload(raw)

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert await world.open_amount(acc, inv) == "600.00"


async def test_an_entry_repeated_by_a_later_file_is_not_added_twice(world: World) -> None:
    acc = await world.account("A", "Orchard Dental Clinic")
    inv = await world.invoice(acc, "INV-1", "300.00")
    await world.sync()
    notified = camt053([Entry(world.id("E1"), "100.00", "", inv)], statement_id="INTRADAY")
    statement = camt053(
        [Entry(world.id("E1"), "100.00", "", inv), Entry(world.id("E2"), "50.00", "", inv)],
        statement_id="EOD",
    )

    await world.upload(notified)
    r = await world.upload(statement)

    assert r.json()["lines"] == 2

    assert r.json()["new_lines"] == 1
    assert await world.open_amount(acc, inv) == "150.00"  # two receipts for one invoice


async def test_a_bad_file_names_the_line_and_keeps_nothing(world: World) -> None:
    good = Entry(world.id("E1"), "10.00", "", "x")
    raw = camt053([good, Entry(world.id("E2"), "12,50", "", "y")])

    r = await world.upload(raw)

    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["rule"] == "invalid-statement"
    assert problem["detail"].startswith("line 41: Amt")
    assert "12,50" in problem["detail"]
    assert await world.lines() == []
    assert (await world.api.get("/v1/imports")).json()["imports"] == []


async def test_xml_that_is_not_well_formed_is_refused_with_its_line(world: World) -> None:
    r = await world.upload(b"<?xml version='1.0'?>\n<Document>\n<BkToCstmrStmt>\n</Document>")
    assert r.status_code == 422
    assert r.json()["detail"].startswith("line 4: not well-formed XML")


async def test_an_external_entity_is_not_expanded(world: World) -> None:
    raw = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Document><BkToCstmrStmt><Stmt><Acct><Id><IBAN>X</IBAN></Id></Acct><Ntry>"
        b'<Amt Ccy="SGD">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><ValDt><Dt>2026-01-01</Dt></ValDt>'
        b"<AcctSvcrRef>R1</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>&x;</Ustrd></RmtInf>"
        b"</TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>"
    )
    r = await world.upload(raw, process="false")
    assert r.status_code == 201
    [line] = await world.lines()
    assert "root:" not in line["remittance"]


async def test_the_raw_file_is_kept(world: World) -> None:
    raw = camt053([Entry(world.id("E1"), "5.00", "", "nothing")])
    file_id = (await world.upload(raw)).json()["file_id"]
    kept = await world.api.get(f"/v1/imports/{file_id}/raw")
    assert kept.content == raw

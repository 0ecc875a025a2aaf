"""Auto-debit end to end on real PostgreSQL and the in-process ledger: mandates, a
collection run posting direct-debit payments and writing the pain.008 / partner CSV,
idempotent re-runs, and returns reversing the payment in the ledger."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from lxml import etree

from cash.adapters.postgres.debits import PostgresDebits
from dunning.domain.ledger_facts import parse_fact
from dunning.domain.receivables import Receivables, evolve
from servicekit.auth import AUDITOR, CASH_CLERK, COLLECTOR

from .conftest import IDENTITY, World
from .samples import Entry, camt053

CREDITOR = {
    "name": "Receivables Europe GmbH",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
    "creditor_id": "DE98ZZZ09999999999",
}
DEBTOR_IBAN = "FR1420041010050500013M02606"
NEW_IBAN = "NL91ABNA0417164300"
RUN_DATE = "2026-03-02"


@pytest.fixture(autouse=True)
def sepa_creditor(world: World) -> None:
    from cash.adapters.formats.debit_files import DebitFileWriter

    world.service.collections.files = DebitFileWriter(CREDITOR)


async def eur_account(world: World, name: str, label: str, jurisdiction: str = "SG") -> str:
    account_id = world.id(name)
    await world.call(
        "/v1/accounts",
        {
            "account_id": account_id,
            "name": label,
            "currency": "EUR",
            "jurisdiction": jurisdiction,
            "credit_limit": "100000.00",
            "payment_terms_days": 30,
            "opened_on": "2026-01-01",
        },
    )
    return account_id


async def mandate(world: World, account_id: str, name: str, **details: Any) -> dict[str, Any]:
    body = {
        "mandate_id": world.id(name),
        "account_id": account_id,
        "signed_on": "2026-01-15",
        "debtor_name": "Debtor " + name,
        **details,
    }
    r = await world.api.post("/v1/mandates", json=body, headers=IDENTITY.headers(CASH_CLERK))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def run(world: World, on: str = RUN_DATE) -> Any:
    r = await world.api.post("/v1/collection-runs", json={"collection_date": on})
    assert r.status_code == 201, r.text
    return r


async def debits(world: World, run_id: str) -> list[dict[str, Any]]:
    r = await world.api.get(f"/v1/collection-runs/{run_id}/debits")
    assert r.status_code == 200, r.text
    return list(r.json()["debits"])


async def test_a_mandate_is_registered_amended_and_cancelled_with_who_and_why(
    world: World,
) -> None:
    acc = await eur_account(world, "A", "Lyon Freight SARL")
    await world.sync()
    m = await mandate(world, acc, "M1", iban="FR14 2004 1010 0505 0001 3M02 606")
    assert (m["scheme"], m["iban"], m["status"]) == ("sepa_core", DEBTOR_IBAN, "active")

    mid = m["mandate_id"]
    r = await world.api.post(
        f"/v1/mandates/{mid}/amendments",
        json={"iban": NEW_IBAN, "reason": "moved to ABN AMRO"},
        headers=IDENTITY.headers(COLLECTOR, subject="maria"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["iban"] == NEW_IBAN
    r = await world.api.post(
        f"/v1/mandates/{mid}/cancellation",
        json={"reason": "pays by bank transfer from now on"},
        headers=IDENTITY.headers(CASH_CLERK, subject="tan"),
    )
    assert r.json()["status"] == "cancelled"

    history = (await world.api.get(f"/v1/mandates/{mid}")).json()["history"]
    assert [(h["type"], h["actor"], h["reason"]) for h in history] == [
        ("MandateRegistered", "cash_clerk@test", "new mandate"),
        ("MandateAmended", "maria", "moved to ABN AMRO"),
        ("MandateCancelled", "tan", "pays by bank transfer from now on"),
    ]
    assert history[1]["data"]["before"] == {"iban": DEBTOR_IBAN}
    assert history[1]["data"]["after"] == {"iban": NEW_IBAN}
    # a cancelled mandate cannot be amended; a new one may now be registered
    r = await world.api.post(
        f"/v1/mandates/{mid}/amendments", json={"bic": "ABNANL2A", "reason": "x"}
    )
    assert (r.status_code, r.json()["rule"]) == (422, "mandate-state")
    await mandate(world, acc, "M2", iban=NEW_IBAN)


async def test_bad_mandates_are_refused_and_nothing_is_written(world: World) -> None:
    eur = await eur_account(world, "E", "Bremen Bau GmbH")
    sgd = await world.account("S", "Orchard Traders")
    await world.sync()
    cases = [
        ({"account_id": eur, "iban": "DE89370400440532013001"}, 422, "iban"),
        ({"account_id": eur}, 422, "iban"),
        ({"account_id": eur, "iban": DEBTOR_IBAN, "bic": "COBAXXFF"}, 422, "bic"),
        ({"account_id": sgd, "bank_account": "0123456789"}, 422, "partner"),
        ({"account_id": sgd, "partner": "DBS-GIRO"}, 422, "bank_account"),
        ({"account_id": "NOPE", "iban": DEBTOR_IBAN}, 422, "account_id"),
        ({"account_id": eur, "iban": DEBTOR_IBAN, "signed_on": "2999-01-01"}, 422, "signed_on"),
    ]
    for extra, status, field in cases:
        body = {
            "mandate_id": world.id("BAD"),
            "signed_on": "2026-01-15",
            "debtor_name": "X",
            **extra,
        }
        r = await world.api.post("/v1/mandates", json=body)
        assert r.status_code == status, (extra, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json().get("field") == field, (extra, r.json())
    assert (await world.api.get("/v1/mandates")).json()["mandates"] == []

    await mandate(world, eur, "OK", iban=DEBTOR_IBAN)
    again = {"mandate_id": world.id("OK"), "account_id": eur, "signed_on": "2026-01-15"}
    r = await world.api.post(
        "/v1/mandates", json={**again, "debtor_name": "Debtor OK", "iban": DEBTOR_IBAN}
    )
    assert (r.status_code, r.headers.get("idempotent-replayed")) == (201, "true")
    r = await world.api.post(
        "/v1/mandates", json={**again, "debtor_name": "Someone else", "iban": DEBTOR_IBAN}
    )
    assert r.status_code == 409
    second = {**again, "mandate_id": world.id("TWO"), "debtor_name": "Y", "iban": NEW_IBAN}
    r = await world.api.post("/v1/mandates", json=second)
    assert (r.status_code, r.json()["field"]) == (409, "account_id")


async def test_mandates_are_their_accounts_jurisdictions(world: World) -> None:
    sg = await eur_account(world, "SG", "Singapore EUR client", "SG")
    hk = await eur_account(world, "HK", "Hong Kong EUR client", "HK")
    await world.sync()
    m_sg = (await mandate(world, sg, "MSG", iban=DEBTOR_IBAN))["mandate_id"]
    m_hk = (await mandate(world, hk, "MHK", iban=NEW_IBAN))["mandate_id"]
    hk_clerk = IDENTITY.headers(CASH_CLERK, jurisdictions=["HK"])

    listed = (await world.api.get("/v1/mandates", headers=hk_clerk)).json()["mandates"]
    assert [m["mandate_id"] for m in listed] == [m_hk]
    assert (await world.api.get(f"/v1/mandates/{m_sg}", headers=hk_clerk)).status_code == 404
    r = await world.api.post(
        f"/v1/mandates/{m_sg}/cancellation", json={"reason": "x"}, headers=hk_clerk
    )
    assert r.status_code == 404
    r = await world.api.post(
        "/v1/mandates",
        json={
            "mandate_id": world.id("M3"),
            "account_id": sg,
            "signed_on": "2026-01-15",
            "debtor_name": "Z",
            "iban": DEBTOR_IBAN,
        },
        headers=hk_clerk,
    )
    assert (r.status_code, r.json()["field"]) == (422, "account_id")
    r = await world.api.post(
        "/v1/collection-runs", json={"collection_date": RUN_DATE}, headers=hk_clerk
    )
    assert r.status_code == 403
    auditor = IDENTITY.headers(AUDITOR)
    r = await world.api.post(
        f"/v1/mandates/{m_hk}/cancellation", json={"reason": "x"}, headers=auditor
    )
    assert r.status_code == 403


async def test_a_run_collects_due_invoices_once_posts_them_and_writes_the_files(
    world: World,
) -> None:
    eur = await eur_account(world, "E", "Lyon Freight SARL")
    due = await world.invoice(eur, "INV-DUE", "640.00", due="2026-02-28")
    later = await world.invoice(eur, "INV-LATER", "100.00", due="2026-03-31")
    sgd = await world.account("S", "Orchard Traders")
    sgd_inv = await world.invoice(sgd, "INV-SGD", "250.50", due="2026-03-01")
    bare = await world.account("N", "No Mandate Pte Ltd")
    await world.invoice(bare, "INV-N", "99.00", due="2026-01-31")
    await world.sync()
    await mandate(world, eur, "ME", iban=DEBTOR_IBAN)
    await mandate(world, sgd, "MS", partner="DBS-GIRO", bank_account="0721234567")

    r = await run(world)
    body = r.json()
    run_id = body["run_id"]
    assert (run_id, body["status"]) == ("DD-20260302", "done")
    mine = [d for d in await debits(world, run_id) if d["account_id"] in (eur, sgd)]
    assert {(d["invoice_id"], d["amount"], d["status"]) for d in mine} == {
        (due, "640.00", "collected"),
        (sgd_inv, "250.50", "collected"),
    }
    # the ledger: paid on the collection date by direct debit, the run as reference
    assert await world.open_amount(eur, due) == "0.00"
    assert await world.open_amount(eur, later) == "100.00"
    assert await world.open_amount(sgd, sgd_inv) == "0.00"
    events = (await world.ledger.get(f"/v1/accounts/{eur}/events")).json()["events"]
    [paid] = [e for e in events if e["type"] == "PaymentReceived"]
    e2e = next(d["end_to_end_id"] for d in mine if d["invoice_id"] == due)
    assert paid["data"]["payment_id"] == e2e
    assert paid["data"]["method"] == "direct_debit"
    assert paid["data"]["reference"] == run_id
    assert paid["effective_date"] == RUN_DATE

    files = {f["name"]: f for f in body["files"]}
    assert set(files) == {f"{run_id}-pain.008.xml", f"{run_id}-DBS-GIRO.csv"}
    xml = await world.api.get(files[f"{run_id}-pain.008.xml"]["href"])
    assert xml.headers["content-type"].startswith("application/xml")
    tree = etree.fromstring(xml.content)
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"}
    assert tree.findtext(".//p:GrpHdr/p:MsgId", namespaces=ns) == run_id
    assert tree.findtext(".//p:DrctDbtTxInf//p:EndToEndId", namespaces=ns) == e2e
    assert tree.findtext(".//p:DrctDbtTxInf//p:MndtId", namespaces=ns) == world.id("ME")
    assert tree.findtext(".//p:DrctDbtTxInf//p:DbtrAcct//p:IBAN", namespaces=ns) == DEBTOR_IBAN
    assert tree.findtext(".//p:PmtInf/p:ReqdColltnDt", namespaces=ns) == RUN_DATE
    csv_text = (await world.api.get(files[f"{run_id}-DBS-GIRO.csv"]["href"])).text
    assert f"{world.id('MS')}," in csv_text
    assert ",250.50,SGD,2026-03-02,DD-20260302" in csv_text

    # the same date again: the same run, nothing collected twice
    again = await run(world)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["summary"] == body["summary"]
    events = (await world.ledger.get(f"/v1/accounts/{eur}/events")).json()["events"]
    assert len([e for e in events if e["type"] == "PaymentReceived"]) == 1
    # a later date collects what has fallen due since, and nothing collected before
    later_run = (await run(world, "2026-04-01")).json()
    later_debits = await debits(world, later_run["run_id"])
    assert [(d["invoice_id"]) for d in later_debits if d["account_id"] == eur] == [later]


async def test_an_interrupted_run_is_finished_by_running_the_date_again(world: World) -> None:
    eur = await eur_account(world, "E", "Porto Wines Lda")
    inv = await world.invoice(eur, "INV-1", "75.00", due="2026-02-01")
    await world.sync()
    await mandate(world, eur, "M", iban=DEBTOR_IBAN)
    collections = world.service.collections
    post = collections._post_one
    calls = 0

    async def failing(*args: Any) -> tuple[str, str]:
        nonlocal calls
        calls += 1
        raise RuntimeError("connection lost")

    collections._post_one = failing  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        await collections.run(date(2026, 3, 2), actor="cli")
    collections._post_one = post  # type: ignore[method-assign]
    r = await world.api.get("/v1/collection-runs/DD-20260302")
    assert r.json()["status"] == "posting"
    assert r.json()["files"] == []

    done = (await run(world)).json()
    assert done["status"] == "done"
    assert await world.open_amount(eur, inv) == "0.00"
    assert calls == 1


async def test_a_run_without_a_sepa_creditor_refuses_eur_mandates(world: World) -> None:
    from cash.adapters.formats.debit_files import DebitFileWriter

    world.service.collections.files = DebitFileWriter({})
    eur = await eur_account(world, "E", "Gent Textiles NV")
    inv = await world.invoice(eur, "INV-1", "75.00", due="2026-02-01")
    await world.sync()
    await mandate(world, eur, "M", iban=DEBTOR_IBAN)
    r = await world.api.post("/v1/collection-runs", json={"collection_date": RUN_DATE})
    assert r.status_code == 422
    assert "CASH_SEPA_CREDITOR" in r.json()["detail"]
    assert await world.open_amount(eur, inv) == "75.00"
    async with world.service.engine.connect() as conn:
        assert await PostgresDebits(conn).count("DD-20260302") == 0


async def test_a_run_date_outside_the_calendar_or_not_iso_is_refused(world: World) -> None:
    # "0" was read as seconds since 1970 and "0001-01-01" ran (as DD-10101): one run a date
    for day in ("0001-01-01", "9999-12-31", "0", "-0.00", "2026-03-02T00:00:00"):
        r = await world.api.post("/v1/collection-runs", json={"collection_date": day})
        assert r.status_code == 422, (day, r.text)
        assert r.json()["field"] == "collection_date"
    assert (await world.api.get("/v1/collection-runs")).json()["runs"] == []


async def test_a_bank_return_reverses_the_collected_payment_and_reopens_the_invoice(
    world: World,
) -> None:
    eur = await eur_account(world, "E", "Lyon Freight SARL")
    inv = await world.invoice(eur, "INV-1", "640.00", due="2026-02-28")
    await world.sync()
    await mandate(world, eur, "M", iban=DEBTOR_IBAN)
    run_id = (await run(world)).json()["run_id"]
    [item] = [d for d in await debits(world, run_id) if d["account_id"] == eur]
    assert await world.open_amount(eur, inv) == "0.00"

    # the bank's camt.054 debit notification: the debit came back, AM04
    returned = Entry(
        world.id("R1"),
        "640.00",
        "Lyon Freight SARL",
        "",
        credit=False,
        currency="EUR",
        end_to_end=item["end_to_end_id"],
        return_code="AM04",
        value_date="2026-03-06",
    )
    r = await world.upload(camt054([returned]), format="camt.054")
    assert r.status_code == 201, r.text
    assert r.json()["status"] == {"return": 1}

    assert await world.open_amount(eur, inv) == "640.00"
    events = (await world.ledger.get(f"/v1/accounts/{eur}/events")).json()["events"]
    [reversal] = [e for e in events if e["type"] == "PaymentReversed"]
    assert reversal["data"]["payment_id"] == item["end_to_end_id"]
    assert reversal["data"]["reason"] == (
        "direct debit returned by the bank: AM04 insufficient funds"
    )
    assert reversal["effective_date"] == "2026-03-06"
    [after] = [d for d in await debits(world, run_id) if d["account_id"] == eur]
    assert (after["status"], after["return_code"]) == ("returned", "AM04")
    # dunning, folding the account's ledger events as its consumer does, sees it unpaid
    owed = dunning_view(events)
    assert [(i.item_id, i.open_amount) for i in owed.as_of(date(2026, 3, 5)).open_items()] == []
    assert [(i.item_id, i.open_amount) for i in owed.as_of(date(2026, 3, 6)).open_items()] == [
        (inv, 64000)
    ]
    # the same return reported again by hand changes nothing
    r = await world.api.post(
        f"/v1/debits/{item['end_to_end_id']}/return",
        json={"reason_code": "AM04", "returned_on": "2026-03-06"},
    )
    assert (r.status_code, r.headers["idempotent-replayed"]) == (200, "true")
    events = (await world.ledger.get(f"/v1/accounts/{eur}/events")).json()["events"]
    assert len([e for e in events if e["type"] == "PaymentReversed"]) == 1
    # the invoice is not taken again by a later run: dunning works it now
    later = (await run(world, "2026-04-01")).json()
    assert [d for d in await debits(world, later["run_id"]) if d["account_id"] == eur] == []


async def test_a_partner_return_reported_by_hand_reverses_the_payment(world: World) -> None:
    sgd = await world.account("S", "Orchard Traders")
    inv = await world.invoice(sgd, "INV-1", "250.50", due="2026-03-01")
    await world.sync()
    await mandate(world, sgd, "M", partner="DBS-GIRO", bank_account="0721234567")
    run_id = (await run(world)).json()["run_id"]
    [item] = [d for d in await debits(world, run_id) if d["account_id"] == sgd]

    r = await world.api.post(
        f"/v1/debits/{item['end_to_end_id']}/return",
        json={"reason_code": "MD06", "returned_on": "2026-03-05"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["note"] == (
        "direct debit returned by the bank: MD06 refund requested by the debtor"
    )
    assert await world.open_amount(sgd, inv) == "250.50"
    for other in ({"reason_code": "AM04"}, {"returned_on": "2026-03-09"}):
        r = await world.api.post(
            f"/v1/debits/{item['end_to_end_id']}/return",
            json={"reason_code": "MD06", "returned_on": "2026-03-05", **other},
        )
        assert (r.status_code, r.json()["field"]) == (409, "end_to_end_id"), r.text
    [same] = [d for d in await debits(world, run_id) if d["account_id"] == sgd]
    assert (same["return_code"], same["returned_on"]) == ("MD06", "2026-03-05")
    r = await world.api.post(
        "/v1/debits/DD20260302-NOSUCHDEBIT/return",
        json={"reason_code": "MD06", "returned_on": "2026-03-05"},
    )
    assert (r.status_code, r.json()["field"]) == (404, "end_to_end_id")
    r = await world.api.post(
        f"/v1/debits/{item['end_to_end_id']}/return",
        json={"reason_code": "not a code", "returned_on": "2026-03-05"},
    )
    assert r.status_code == 422


def dunning_view(events: list[dict[str, Any]]) -> Receivables:
    """The account as dunning's consumer folds the ledger's events into its state."""
    state = None
    for e in events:
        fact = parse_fact(e["type"], e["data"])
        if fact is not None:
            state = evolve(state, fact, e["account_id"], date.fromisoformat(e["effective_date"]))
    assert state is not None
    return state


def camt054(entries: list[Entry]) -> bytes:
    """The same entries as a camt.054 debit/credit notification (no balances)."""
    text = camt053(entries, statement_id="NTF-1").decode()
    text = re.sub(r"<Bal>.*?</Bal>", "", text, flags=re.S)
    text = text.replace("camt.053.001.02", "camt.054.001.02")
    text = text.replace("BkToCstmrStmt", "BkToCstmrDbtCdtNtfctn").replace("Stmt>", "Ntfctn>")
    return text.replace("<Ccy>SGD</Ccy>", "<Ccy>EUR</Ccy>").encode()

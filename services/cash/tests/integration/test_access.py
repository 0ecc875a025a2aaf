"""Every cash route needs an identity and its scope; a caller limited to some
jurisdictions works with the statements of their bank accounts, their partners, accounts,
mandates and debits, and finds nothing of the others."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cash.adapters.http.scopes import ROLES
from servicekit.auth import ADMIN, CASH_CLERK, CREDIT_CONTROLLER
from servicekit.auth.testing import PROBLEM, assert_served_route_matrix

from .conftest import IDENTITY, World
from .samples import HK_IBAN, IBAN, Entry, camt053

IBANS = {"SG": IBAN, "HK": HK_IBAN}
SEPA = {"SG": "FR1420041010050500013M02606", "HK": "NL91ABNA0417164300"}


def as_(world: World, *roles: str, where: str = "*") -> httpx.AsyncClient:
    """A client of cash's app for a caller of ``roles`` working for ``where``."""
    return httpx.AsyncClient(
        transport=world.api._transport,
        base_url="http://cash",
        headers=IDENTITY.headers(*roles, jurisdictions=[where], subject=f"{where}-user"),
    )


async def eur_account(world: World, where: str) -> str:
    account_id = world.id(f"EUR-{where}")
    await world.call(
        "/v1/accounts",
        {
            "account_id": account_id,
            "name": f"Client {where}",
            "currency": "EUR",
            "jurisdiction": where,
            "credit_limit": "0.00",
            "payment_terms_days": 30,
            "opened_on": "2026-01-01",
        },
    )
    return account_id


async def register_mandate(
    client: httpx.AsyncClient, world: World, where: str, account_id: str
) -> None:
    r = await client.post(
        "/v1/mandates",
        json={
            "mandate_id": world.id(f"M{where}"),
            "account_id": account_id,
            "signed_on": "2026-01-15",
            "debtor_name": f"Client {where}",
            "iban": SEPA[where],
        },
    )
    assert r.status_code == 201, r.text


@pytest.fixture
async def sg_and_hk(world: World) -> dict[str, dict[str, str]]:
    """Per jurisdiction: an account with a mandate, an imported statement with a line in
    review, and a payment partner."""
    objects: dict[str, dict[str, str]] = {}
    for where in ("SG", "HK"):
        account_id = await eur_account(world, where)
        await world.sync()
        await register_mandate(world.api, world, where, account_id)
        raw = camt053([Entry(world.id(f"E{where}"), "12.00", "Nobody", "?")], iban=IBANS[where])
        imported = await world.upload(raw)
        assert imported.status_code == 201, imported.text
        [line] = [ln for ln in await world.lines() if ln["jurisdiction"] == where]
        r = await world.api.put(
            f"/v1/partners/P-{where}/csv-mapping",
            json={
                "columns": {"amount": "Net", "value_date": "Day", "entry_ref": "Ref"},
                "currency": "SGD",
                "bank_account": f"STRIPE-{where}",
            },
        )
        assert r.status_code == 200, r.text
        objects[where] = {
            "mandate_id": world.id(f"M{where}"),
            "account_id": account_id,
            "file_id": imported.json()["file_id"],
            "line_id": line["line_id"],
            "partner_id": f"P-{where}",
        }
    return objects


async def test_route_matrix(world: World, sg_and_hk: dict[str, dict[str, str]]) -> None:
    """Every route x role; the routes of a mandate, account, import, line or partner also x
    jurisdiction: its own lets its user in, another's answers 404."""
    await assert_served_route_matrix(
        world.api,
        ROLES,
        IDENTITY,
        objects=sg_and_hk,
        fill={
            "file_id": "0" * 64,
            "event_id": "00000000-0000-0000-0000-000000000000",
            "run_id": "DD-20260302",
        },
        more_than=200,
    )


async def test_a_clerk_of_one_jurisdiction_sees_only_its_statements(
    world: World, sg_and_hk: dict[str, dict[str, str]]
) -> None:
    sg, hk = sg_and_hk["SG"], sg_and_hk["HK"]
    clerk = as_(world, CASH_CLERK, where="SG")
    lines = (await clerk.get("/v1/lines")).json()["lines"]
    assert [(ln["line_id"], ln["jurisdiction"]) for ln in lines] == [(sg["line_id"], "SG")]
    review = (await clerk.get("/v1/lines", params={"status": "review"})).json()["lines"]
    assert [ln["line_id"] for ln in review] == [sg["line_id"]]
    assert review[0]["suspense_account"] == "SUSPENSE-SGD"  # a suspense item, SG's
    imports = (await clerk.get("/v1/imports")).json()["imports"]
    assert [(i["file_id"], i["jurisdictions"]) for i in imports] == [(sg["file_id"], ["SG"])]
    everything = (await as_(world, ADMIN).get("/v1/lines")).json()["lines"]
    assert {ln["jurisdiction"] for ln in everything} == {"SG", "HK"}
    for path in (
        f"/v1/lines/{hk['line_id']}",
        f"/v1/imports/{hk['file_id']}",
        f"/v1/imports/{hk['file_id']}/raw",
        f"/v1/accounts/{hk['account_id']}/segment",
        f"/v1/partners/{hk['partner_id']}/csv-mapping",
        f"/v1/mandates/{hk['mandate_id']}",
    ):
        r = await clerk.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith(PROBLEM)
    assert (await clerk.get(f"/v1/lines/{sg['line_id']}")).status_code == 200
    r = await clerk.post(f"/v1/lines/{hk['line_id']}/refund", json={"reason": "not ours"})
    assert r.status_code == 404
    assert (await world.api.get(f"/v1/lines/{hk['line_id']}")).json()["status"] == "review"
    r = await clerk.post(f"/v1/lines/{sg['line_id']}/refund", json={"reason": "not a client"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "refunded"


async def _statuses(world: World) -> dict[str, str]:
    return {
        ln["line_id"]: ln["status"] for ln in (await world.api.get("/v1/lines")).json()["lines"]
    }


async def test_an_import_on_another_jurisdictions_bank_account_is_refused(world: World) -> None:
    clerk = as_(world, CASH_CLERK, where="SG")
    headers = {"Content-Type": "application/xml"}
    hk_file = camt053([Entry(world.id("H1"), "10.00", "X", "y")], iban=HK_IBAN)
    r = await clerk.post("/v1/imports", content=hk_file, headers=headers)
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["rule"] == "outside-jurisdiction"
    assert HK_IBAN in r.json()["detail"]
    assert await _statuses(world) == {}
    assert (await world.api.get("/v1/imports")).json()["imports"] == []
    # the same file imported by an HK clerk; the SG clerk sending it again learns nothing
    r = await as_(world, CASH_CLERK, where="HK").post("/v1/imports", content=hk_file)
    assert r.status_code == 201, r.text
    r = await clerk.post("/v1/imports", content=hk_file, headers=headers)
    assert r.status_code == 403
    assert "Idempotent-Replayed" not in r.headers
    # a file of an account nobody configured: 422 naming it, for everyone
    stray = camt053([Entry(world.id("S1"), "10.00", "X", "y")], iban="GB33BUKB20201555555555")
    before = await _statuses(world)
    r = await world.upload(stray)
    assert r.status_code == 422
    assert r.json()["rule"] == "unknown-bank-account"
    assert "GB33BUKB20201555555555" in r.json()["detail"]
    assert await _statuses(world) == before


async def test_a_line_is_matched_only_to_an_account_of_its_jurisdiction(world: World) -> None:
    sg = await world.account("SG", "Merlion Logistics")
    hk = await world.account("HK", "Kowloon Freight", jurisdiction="HK")
    hk_inv = await world.invoice(hk, "INV-HK", "80.00")
    await world.sync()
    # the remittance names an HK invoice, the money arrived on the SG entity's account
    r = await world.upload(camt053([Entry(world.id("E1"), "80.00", "Kowloon Freight", hk_inv)]))
    assert r.json()["status"] == {"review": 1}
    [line] = await world.lines("review")
    assert line["jurisdiction"] == "SG"
    assert hk not in {s["account_id"] for s in line["suggestions"]}
    part = {
        "parts": [{"account_id": hk, "allocations": [{"invoice_id": hk_inv, "amount": "80.00"}]}]
    }
    r = await world.api.post(f"/v1/lines/{line['line_id']}/match", json=part)
    assert r.status_code == 422
    assert r.json()["field"] == "parts[0].account_id"
    assert "HK's" in r.json()["detail"]
    clerk = as_(world, CASH_CLERK, where="SG")
    r = await clerk.post(f"/v1/lines/{line['line_id']}/match", json=part)
    assert r.status_code == 422
    assert r.json()["detail"] == f"no account {hk}"  # another jurisdiction's: as none
    assert await world.open_amount(hk, hk_inv) == "80.00"
    r = await clerk.post(f"/v1/lines/{line['line_id']}/match", json={"parts": [{"account_id": sg}]})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "matched"


async def test_a_clerk_processes_only_the_lines_of_its_jurisdiction(world: World) -> None:
    for where, iban in (("SG", IBAN), ("HK", HK_IBAN)):
        raw = camt053([Entry(world.id(f"E{where}"), "5.00", "Nobody", "?")], iban=iban)
        assert (await world.upload(raw, process="false")).status_code == 201
    r = await as_(world, CASH_CLERK, where="HK").post("/v1/process")
    assert r.json()["outcomes"] == {"review": 1}
    lines = (await world.api.get("/v1/lines")).json()["lines"]
    assert {(ln["jurisdiction"], ln["status"]) for ln in lines} == {("SG", "new"), ("HK", "review")}


async def test_partners_and_their_reconciliation_are_their_jurisdictions(
    world: World, sg_and_hk: dict[str, dict[str, str]]
) -> None:
    for where in ("SG", "HK"):
        r = await world.api.post(
            f"/v1/partners/P-{where}/expected",
            json={
                "transactions": [
                    {
                        "reference": f"T-{where}",
                        "amount": "10.00",
                        "currency": "SGD",
                        "expected_on": "2026-02-12",
                    }
                ]
            },
        )
        assert r.status_code == 200, r.text
    clerk = as_(world, CASH_CLERK, where="SG")
    period = {"from": "2026-02-01", "to": "2026-02-28"}
    report = (await clerk.get("/v1/reconciliation", params=period)).json()
    assert {d["reference"] for d in report["differences"]} == {"T-SG"}
    all_of_it = (await world.api.get("/v1/reconciliation", params=period)).json()
    assert {d["reference"] for d in all_of_it["differences"]} == {"T-SG", "T-HK"}
    r = await clerk.get(
        "/v1/reconciliation", params={**period, "format": "csv", "table": "differences"}
    )
    assert "T-SG" in r.text
    assert "T-HK" not in r.text
    r = await clerk.get("/v1/reconciliation", params={**period, "partner": "P-HK"})
    assert (r.status_code, r.json()["field"]) == (404, "partner")  # as the other routes
    r = await clerk.get("/v1/reconciliation", params={**period, "partner": "P-SG"})
    assert {d["reference"] for d in r.json()["differences"]} == {"T-SG"}
    r = await clerk.post(
        "/v1/partners/P-HK/expected",
        json={
            "transactions": [
                {
                    "reference": "T2",
                    "amount": "1.00",
                    "currency": "SGD",
                    "expected_on": "2026-02-12",
                }
            ]
        },
    )
    assert r.status_code == 404
    assert (await clerk.delete("/v1/partners/P-HK/expected/T-HK")).status_code == 404
    mapping: dict[str, Any] = {
        "columns": {"amount": "Net", "value_date": "Day", "entry_ref": "Ref"},
        "currency": "SGD",
        "bank_account": "STRIPE-HK",
    }
    r = await clerk.put("/v1/partners/P-NEW/csv-mapping", json=mapping)
    assert (r.status_code, r.json()["rule"]) == (403, "outside-jurisdiction")
    r = await clerk.put("/v1/partners/P-NEW/csv-mapping", json={**mapping, "bank_account": "NOPE"})
    assert (r.status_code, r.json()["field"]) == (422, "bank_account")
    r = await clerk.put(
        "/v1/partners/P-NEW/csv-mapping", json={**mapping, "bank_account": "stripe-sg"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["jurisdiction"] == "SG"
    assert (await clerk.get("/v1/partners/P-NEW/csv-mapping")).status_code == 200
    r = await as_(world, CASH_CLERK, where="HK").get("/v1/partners/P-NEW/csv-mapping")
    assert r.status_code == 404
    # a statement of the clerk's own account may not be filed as another's partner's
    raw = camt053([Entry(world.id("S1"), "10.00", "X", "y")])
    r = await clerk.post("/v1/imports", params={"partner": "P-HK"}, content=raw)
    assert (r.status_code, r.json()["field"]) == (404, "partner")
    r = await clerk.post("/v1/imports", params={"partner": "P-SG"}, content=raw)
    assert r.status_code == 201, r.text


async def test_collection_runs_span_every_jurisdiction(world: World) -> None:
    from cash.adapters.formats.debit_files import DebitFileWriter

    world.service.collections.files = DebitFileWriter(
        {
            "name": "Receivables Europe GmbH",
            "iban": "DE89370400440532013000",
            "bic": "COBADEFFXXX",
            "creditor_id": "DE98ZZZ09999999999",
        }
    )
    accounts = {}
    for where in ("SG", "HK"):
        accounts[where] = await eur_account(world, where)
        await world.invoice(accounts[where], f"INV-{where}", "40.00", due="2026-02-28")
    await world.sync()
    for where, account_id in accounts.items():
        await register_mandate(as_(world, CASH_CLERK, where=where), world, where, account_id)
    sg = as_(world, CASH_CLERK, where="SG")
    r = await sg.post("/v1/collection-runs", json={"collection_date": "2026-03-02"})
    assert (r.status_code, r.json()["rule"]) == (403, "forbidden")
    r = await as_(world, CASH_CLERK).post(
        "/v1/collection-runs", json={"collection_date": "2026-03-02"}
    )
    assert r.status_code == 201, r.text
    assert [s["debits"] for s in r.json()["summary"]] == [2]
    [file] = r.json()["files"]

    [run] = (await sg.get("/v1/collection-runs")).json()["runs"]
    assert ([s["debits"] for s in run["summary"]], run["files"]) == ([1], [])
    [debit] = (await sg.get("/v1/collection-runs/DD-20260302/debits")).json()["debits"]
    assert (debit["account_id"], debit["jurisdiction"]) == (accounts["SG"], "SG")
    assert (await sg.get(file["href"])).status_code == 404
    assert (await world.api.get(file["href"])).status_code == 200
    # a run without a debit of theirs is none of theirs
    nobody = as_(world, CASH_CLERK, where="MY")
    assert (await nobody.get("/v1/collection-runs")).json()["runs"] == []
    assert (await nobody.get("/v1/collection-runs/DD-20260302")).status_code == 404

    everything = (await world.api.get("/v1/collection-runs/DD-20260302/debits")).json()["debits"]
    [hk_debit] = [d for d in everything if d["jurisdiction"] == "HK"]
    back = {"reason_code": "AM04", "returned_on": "2026-03-05"}
    r = await sg.post(f"/v1/debits/{hk_debit['end_to_end_id']}/return", json=back)
    assert r.status_code == 404
    r = await sg.post(f"/v1/debits/{debit['end_to_end_id']}/return", json=back)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "returned"


def _expecting(reference: str) -> dict[str, Any]:
    return {
        "transactions": [
            {
                "reference": reference,
                "amount": "10.00",
                "currency": "SGD",
                "expected_on": "2026-02-12",
            }
        ]
    }


async def test_a_partner_without_a_mapping_is_seen_where_it_pays_into(world: World) -> None:
    """Banks whose camt.053 files are imported with their names (no CSV mapping): each
    partner route x role x the caller's jurisdiction against the partner's."""
    admin = as_(world, ADMIN)
    for home in ("SG", "HK"):
        raw = camt053([Entry(world.id(f"B{home}"), "5.00", "X", "y")], iban=IBANS[home])
        r = await admin.post("/v1/imports", params={"partner": f"BANK-{home}"}, content=raw)
        assert r.status_code == 201, r.text
        r = await admin.post(f"/v1/partners/BANK-{home}/expected", json=_expecting(f"T-{home}"))
        assert r.status_code == 200, r.text
    period = {"from": "2026-02-01", "to": "2026-02-28"}
    for role in (CASH_CLERK, CREDIT_CONTROLLER):
        may_post = role == CASH_CLERK
        for where in ("SG", "HK"):
            caller = as_(world, role, where=where)
            for home in ("SG", "HK"):
                partner, own = f"BANK-{home}", where == home
                case = f"{role} of {where}, {partner}"
                reference = world.id(f"T-{role}-{where}")
                r = await caller.post(
                    f"/v1/partners/{partner}/expected", json=_expecting(reference)
                )
                assert r.status_code == (200 if own else 404) if may_post else 403, case
                r = await caller.delete(f"/v1/partners/{partner}/expected/{reference}")
                assert r.status_code == (204 if own else 404) if may_post else 403, case
                raw = camt053(
                    [Entry(world.id(f"S-{role}-{where}-{home}"), "1.00", "X", "y")],
                    iban=IBANS[where],
                )
                r = await caller.post("/v1/imports", params={"partner": partner}, content=raw)
                if may_post:
                    assert r.status_code == (201 if own else 404), f"{case}: {r.text}"
                    if not own:
                        assert r.json()["field"] == "partner", case
                else:
                    assert r.status_code == 403, case
                r = await caller.get("/v1/reconciliation", params={**period, "partner": partner})
                assert r.status_code == (200 if own else 404), case
                if own:
                    assert "T-" + home in {d["reference"] for d in r.json()["differences"]}, case
    # a partner cash knows nothing of is no restricted caller's (an unrestricted one may
    # start it); the mapping route of one without a mapping finds none
    clerk = as_(world, CASH_CLERK, where="SG")
    r = await clerk.post("/v1/partners/BANK-NEW/expected", json=_expecting("T-NEW"))
    assert (r.status_code, r.json()["field"]) == (404, "partner_id")
    r = await admin.post("/v1/partners/BANK-NEW/expected", json=_expecting("T-NEW"))
    assert r.status_code == 200, r.text
    r = await clerk.get("/v1/partners/BANK-SG/csv-mapping")
    assert (r.status_code, r.json()["field"]) == (404, "partner_id")

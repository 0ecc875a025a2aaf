"""Member changes, back-dated changes, renewal, termination and revisions, end to end."""

from __future__ import annotations

from typing import Any

from .conftest import World

ANN = {"member_id": "M1", "name": "Ann", "tier": "A", "start": "2026-01-01"}


async def enrol(world: World, policy: str, *members: dict[str, Any]) -> None:
    await world.post(f"/v1/policies/{policy}/members", {"members": list(members), "reason": "t"})


def summary(docs: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(d["document_id"].split("-", 2)[-1], d["kind"], d["amount"]) for d in docs]


async def test_an_addition_mid_period_is_billed_pro_rata_on_a_debit_note(world: World) -> None:
    account = await world.account()
    policy = await world.policy(account=account)
    await enrol(world, policy, ANN)
    await world.run("2026-01-01")
    # Bob joins on 17 January (15 of 31 days): tier B is 1825.00 a year, 155.00 in January
    await enrol(
        world, policy, {"member_id": "M2", "name": "Bob", "tier": "B", "start": "2026-01-17"}
    )
    await world.run("2026-02-01")
    docs = await world.documents(policy)
    assert summary(docs) == [
        ("20260101", "invoice", "310.00"),
        ("20260101-N1", "debit_note", "75.00"),
        ("20260201", "invoice", "420.00"),  # 280.00 + 140.00
    ]
    assert "cover added: M2" in docs[1]["reason"]
    balance = (await world.ledger_account(account))["summary"]
    assert balance["invoiced"] == "805.00"


async def test_a_back_dated_termination_credits_the_unearned_days(world: World) -> None:
    account = await world.account()
    policy = await world.policy(account=account)
    await enrol(world, policy, ANN, {**ANN, "member_id": "M2", "name": "Bob"})
    await world.run("2026-03-01")
    # told in March that Bob left on 10 February: 18 of 28 February days and March credited
    await world.post(
        f"/v1/policies/{policy}/members/M2/termination",
        {"end": "2026-02-10", "reason": "left the company"},
    )
    await world.run("2026-03-05")
    docs = await world.documents(policy)
    assert summary(docs)[3:] == [
        ("20260201-N1", "credit_note", "-180.00"),
        ("20260301-N1", "credit_note", "-310.00"),
    ]
    assert (await world.ledger_account(account))["summary"]["credited"] == "490.00"
    again = await world.run("2026-03-05")
    assert again["summary"]["documents"] == {}


async def test_renewal_bills_the_new_rates_from_the_day_after_the_term(world: World) -> None:
    policy = await world.policy(term_start="2026-01-01", term_end="2026-03-31")
    await enrol(world, policy, ANN)
    await world.post(
        f"/v1/policies/{policy}/renewals",
        {
            "products": [
                {
                    "product": "group_medical",
                    "description": "Group medical",
                    "rates": [{"tier": "A", "annual_premium": "7300.00"}],
                    "tax_rate": "0",
                }
            ],
            "reason": "renewal 2026",
        },
    )
    await world.run("2026-05-01")
    docs = await world.documents(policy)
    assert summary(docs) == [
        ("20260101", "invoice", "310.00"),
        ("20260201", "invoice", "280.00"),
        ("20260301", "invoice", "310.00"),
        ("20260401", "invoice", "600.00"),  # 7300 over 365 days: 30 days
        ("20260501", "invoice", "620.00"),
    ]
    view = (await world.api.get(f"/v1/policies/{policy}")).json()
    assert [(t["start"], t["end"]) for t in view["terms"]] == [
        ("2026-01-01", "2026-03-31"),
        ("2026-04-01", "2027-03-31"),
    ]
    gap = await world.api.post(
        f"/v1/policies/{policy}/renewals",
        json={
            "term_start": "2027-04-02",
            "products": view["terms"][0]["products"][:0]
            or [
                {
                    "product": "x",
                    "description": "x",
                    "rates": [{"tier": "A", "annual_premium": "1.00"}],
                }
            ],
            "reason": "gap",
        },
    )
    assert gap.status_code == 422
    assert gap.json()["field"] == "term_start"


async def test_terminating_the_policy_credits_the_rest_at_once(world: World) -> None:
    account = await world.account()
    policy = await world.policy(account=account, frequency="quarterly")
    await enrol(world, policy, ANN)
    await world.run("2026-01-01")
    world.today("2026-02-20")
    out = await world.post(
        f"/v1/policies/{policy}/termination",
        {"terminated_on": "2026-02-15", "reason": "client moved insurer"},
    )
    assert out["status"] == "terminated"
    # Q1 = 90 days = 900.00; covered 46 days (460.00), 44 days credited
    assert [(d["kind"], d["amount"]) for d in out["documents"]] == [("credit_note", "-440.00")]
    docs = await world.documents(policy)
    assert docs[-1]["status"] == "posted"
    assert (await world.ledger_account(account))["summary"]["credited"] == "440.00"
    await world.run("2026-04-01")
    assert len(await world.documents(policy)) == 2  # nothing billed after the termination
    refused = await world.api.post(
        f"/v1/policies/{policy}/members",
        json={"members": [{**ANN, "member_id": "M9"}], "reason": "x"},
    )
    assert refused.status_code == 422
    assert refused.json()["rule"] == "policy-terminated"


async def test_a_revision_is_a_note_on_the_period_never_an_edited_invoice(world: World) -> None:
    account = await world.account()
    policy = await world.policy(account=account)
    await enrol(world, policy, ANN)
    await world.run("2026-01-01")
    body = {
        "revision_id": "REV-1",
        "period_start": "2026-01-01",
        "product": "group_medical",
        "amount": "-25.50",
        "reason": "agreed loyalty discount",
    }
    out = await world.post(f"/v1/policies/{policy}/revisions", body)
    assert [(d["kind"], d["amount"]) for d in out["documents"]] == [("credit_note", "-25.50")]
    assert "agreed loyalty discount" in out["documents"][0]["reason"]
    again = await world.post(f"/v1/policies/{policy}/revisions", body)
    assert again["documents"] == []
    other = await world.api.post(
        f"/v1/policies/{policy}/revisions", json={**body, "amount": "10.00"}
    )
    assert other.status_code == 409
    unbilled = await world.api.post(
        f"/v1/policies/{policy}/revisions",
        json={**body, "revision_id": "R2", "period_start": "2026-05-01"},
    )
    assert unbilled.status_code == 404
    assert unbilled.json()["field"] == "period_start"
    summary_ = (await world.ledger_account(account))["summary"]
    assert (summary_["invoiced"], summary_["credited"]) == ("310.00", "25.50")
    log = (await world.api.get(f"/v1/policies/{policy}/events")).json()["events"]
    revised = [e for e in log if e["type"] == "PremiumRevised"]
    assert revised[0]["data"]["reason"] == "agreed loyalty discount"
    assert revised[0]["actor"] == "clerk@test"  # the authenticated subject

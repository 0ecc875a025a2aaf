"""A policy billed monthly: invoices in the ledger, never twice."""

from __future__ import annotations

from .conftest import World


async def test_a_monthly_run_posts_one_invoice_per_period_and_a_rerun_posts_nothing(
    world: World,
) -> None:
    account = await world.account()
    policy = await world.policy(account=account)
    await world.post(
        f"/v1/policies/{policy}/members",
        {
            "members": [{"member_id": "M1", "name": "Ann", "tier": "A", "start": "2026-01-01"}],
            "reason": "set-up",
        },
    )
    run = await world.run("2026-02-01")
    assert run["status"] == "completed", run
    docs = await world.documents(policy)
    assert [(d["document_id"], d["amount"], d["status"]) for d in docs] == [
        (f"{policy}-20260101", "310.00", "posted"),
        (f"{policy}-20260201", "280.00", "posted"),
    ]
    again = await world.run("2026-02-01")
    assert again["summary"]["documents"] == {}
    acc = await world.ledger_account(account)
    assert acc["summary"]["invoiced"] == "590.00"

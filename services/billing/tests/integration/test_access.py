"""Every billing route needs an identity and its scope; policies are seen only within the
caller's jurisdictions."""

from __future__ import annotations

from billing.adapters.http.scopes import ROLES
from servicekit.auth import AUDITOR, BILLING_CLERK
from servicekit.auth.testing import assert_served_route_matrix

from .conftest import IDENTITY, World


async def _policy_in(world: World, jurisdiction: str) -> str:
    account = world.id(f"ACC-{jurisdiction}")
    r = await world.ledger.post(
        "/v1/accounts",
        json={
            "account_id": account,
            "name": f"Group {jurisdiction}",
            "currency": "SGD",
            "jurisdiction": jurisdiction,
            "credit_limit": "100000.00",
            "payment_terms_days": 30,
            "opened_on": "2026-01-01",
        },
    )
    assert r.status_code == 201, r.text
    policy = world.id(f"POL-{jurisdiction}")
    r = await world.api.post(
        "/v1/policies",
        json={
            "policy_id": policy,
            "account_id": account,
            "frequency": "monthly",
            "billing_day": 1,
            "term_start": "2026-01-01",
            "term_end": "2026-12-31",
            "products": [
                {
                    "product": "group_life",
                    "description": "Group life",
                    "rates": [{"tier": "*", "annual_premium": "1200.00"}],
                }
            ],
        },
    )
    assert r.status_code in (200, 201), r.text
    return policy


async def test_route_matrix(world: World) -> None:
    sg, hk = await _policy_in(world, "SG"), await _policy_in(world, "HK")
    await assert_served_route_matrix(
        world.api,
        ROLES,
        IDENTITY,
        objects={"SG": {"policy_id": sg}, "HK": {"policy_id": hk}},
        fill={"member_id": "M-1", "run_id": "R-NONE"},
    )


async def test_policies_of_another_jurisdiction_are_not_found(world: World) -> None:
    sg, hk = await _policy_in(world, "SG"), await _policy_in(world, "HK")
    clerk = IDENTITY.headers(BILLING_CLERK, jurisdictions=["SG"], subject="sg-clerk")
    assert (await world.api.get(f"/v1/policies/{sg}", headers=clerk)).status_code == 200
    r = await world.api.get(f"/v1/policies/{hk}", headers=clerk)
    assert r.status_code == 404
    assert r.json()["field"] == "policy_id"
    r = await world.api.post("/v1/billing-runs", json={"as_of": "2026-01-01"}, headers=clerk)
    assert r.status_code == 403  # a run spans every jurisdiction
    auditor = IDENTITY.headers(AUDITOR)
    assert (await world.api.get(f"/v1/policies/{hk}", headers=auditor)).status_code == 200
    r = await world.api.post("/v1/billing-runs", json={"as_of": "2026-01-01"}, headers=auditor)
    assert r.status_code == 403

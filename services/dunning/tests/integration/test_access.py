"""Every dunning route needs an identity and its scope; jurisdictions limit what is seen."""

from __future__ import annotations

import httpx
import pytest

from dunning.adapters.http.scopes import ROLES
from servicekit.auth import ADMIN, AUDITOR, COLLECTOR, CREDIT_CONTROLLER
from servicekit.auth.testing import PROBLEM, assert_served_route_matrix

from .conftest import IDENTITY, Stack, invoice, open_account


def as_(s: Stack, *roles: str, where: str = "*", subject: str | None = None) -> httpx.AsyncClient:
    """A client of dunning's app for that caller (closed with the stack's transport)."""
    return httpx.AsyncClient(
        transport=s.api._transport,
        base_url="http://dunning",
        headers=IDENTITY.headers(*roles, jurisdictions=[where], subject=subject),
    )


@pytest.fixture
async def sg_and_hk(stack: Stack) -> Stack:
    await open_account(stack, "ACC-SG", jurisdiction="SG")
    await open_account(stack, "ACC-HK", jurisdiction="HK", currency="HKD")
    for account in ("ACC-SG", "ACC-HK"):
        await invoice(stack, account, "I1", "100.00", due="2026-01-31")
    await stack.run("2026-02-02")
    return stack


async def test_route_matrix(sg_and_hk: Stack) -> None:
    await assert_served_route_matrix(
        sg_and_hk.api,
        ROLES,
        IDENTITY,
        objects={"SG": {"account_id": "ACC-SG"}, "HK": {"account_id": "ACC-HK"}},
        fill={"event_id": "00000000-0000-0000-0000-000000000000"},
    )


async def test_a_user_of_one_jurisdiction_sees_only_its_accounts(sg_and_hk: Stack) -> None:
    s = sg_and_hk
    sg = as_(s, CREDIT_CONTROLLER, where="SG", subject="sg-controller")
    assert (await sg.get("/v1/accounts/ACC-SG/dunning")).status_code == 200
    r = await sg.get("/v1/accounts/ACC-HK/dunning")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith(PROBLEM)
    worklist = (await sg.get("/v1/worklist")).json()
    assert [a["account_id"] for a in worklist["accounts"]] == ["ACC-SG"]
    everyone = (await as_(s, AUDITOR).get("/v1/worklist")).json()
    assert {a["account_id"] for a in everyone["accounts"]} == {"ACC-SG", "ACC-HK"}
    r = await sg.get("/v1/credit-check", params={"account_id": "ACC-HK"})
    assert r.status_code == 404
    r = await sg.post(
        "/v1/blacklist", json={"account_id": "ACC-HK", "reason": "x", "jurisdiction": "HK"}
    )
    assert r.status_code == 403
    r = await as_(s, CREDIT_CONTROLLER).post(
        "/v1/blacklist", json={"account_id": "ACC-HK", "reason": "x", "jurisdiction": "SG"}
    )  # an HK account listed as SG's would be hidden from HK and shown to SG
    assert (r.status_code, r.json()["field"]) == (422, "jurisdiction"), r.text
    r = await as_(s, CREDIT_CONTROLLER).post(
        "/v1/blacklist", json={"account_id": "ACC-HK", "reason": "x", "jurisdiction": "HK"}
    )
    assert r.status_code == 201
    assert (await sg.get("/v1/blacklist")).json()["entries"] == []
    assert (await sg.delete("/v1/blacklist/ACC-HK")).status_code == 404
    # a run and dunning's own event feed span every jurisdiction
    assert (await sg.post("/v1/dunning-runs", json={"as_of": "2026-02-03"})).status_code == 403
    assert (await sg.get("/v1/events")).status_code == 403


async def test_the_actor_is_the_authenticated_subject(sg_and_hk: Stack) -> None:
    s = sg_and_hk
    collector = as_(s, COLLECTOR, subject="carol")
    r = await collector.post(
        "/v1/accounts/ACC-SG/contacts",
        json={"contact_id": "C1", "channel": "call", "outcome": "promised"},
        headers={"X-Actor": "mallory"},
    )
    assert r.status_code == 403  # X-Actor is not believed from a user
    r = await collector.post(
        "/v1/accounts/ACC-SG/contacts",
        json={"contact_id": "C1", "channel": "call", "outcome": "promised"},
    )
    assert r.status_code == 201
    assert r.json()["actor"] == "carol"
    r = await as_(s, ADMIN).get("/metrics")
    assert r.status_code == 200

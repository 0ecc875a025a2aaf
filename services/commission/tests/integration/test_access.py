"""Every commission route needs an identity and its scope; brokers are seen only within the
caller's jurisdictions; maker and checker are compared as authenticated subjects."""

from __future__ import annotations

from commission.adapters.http.scopes import ROLES
from servicekit.auth import AUDITOR, BROKER_MANAGER
from servicekit.auth.testing import assert_served_route_matrix

from .conftest import IDENTITY, World, user

DE_BANK = {
    "account_holder": "Euro Brokers GmbH",
    "country": "DE",
    "currency": "EUR",
    "iban": "DE89 3704 0044 0532 0130 00",
    "bic": "COBADEFFXXX",
}


def as_(world: World, *roles: str, where: str = "*", subject: str | None = None) -> dict[str, str]:
    return IDENTITY.headers(*roles, jurisdictions=[where], subject=subject)


async def test_route_matrix(world: World) -> None:
    sg = await world.broker("SG")
    hk = await world.broker("HK", jurisdiction="HK")
    await assert_served_route_matrix(
        world.api,
        ROLES,
        IDENTITY,
        objects={"SG": {"broker_id": sg}, "HK": {"broker_id": hk}},
        fill={"period": "2026-01", "event_id": "00000000-0000-0000-0000-000000000000"},
    )


async def test_brokers_of_another_jurisdiction_are_not_found(world: World) -> None:
    sg = await world.broker("SG")
    hk = await world.broker("HK", jurisdiction="HK")
    manager = as_(world, BROKER_MANAGER, where="SG", subject="sg-manager")
    assert (await world.api.get(f"/v1/brokers/{sg}", headers=manager)).status_code == 200
    r = await world.api.get(f"/v1/brokers/{hk}", headers=manager)
    assert r.status_code == 404
    assert r.json()["field"] == "broker_id"
    r = await world.api.post(
        f"/v1/brokers/{hk}/bank-detail-changes",
        json={"change_id": world.id("X"), "bank": DE_BANK},
        headers=manager,
    )
    assert r.status_code == 404
    body = {
        "broker_id": world.id("NEW-HK"),
        "name": "New",
        "jurisdiction": "HK",
        "bank": DE_BANK,
    }
    r = await world.api.post("/v1/brokers", json=body, headers=manager)
    assert r.status_code == 403
    r = await world.api.post("/v1/settlements", json={"period": "2026-01"}, headers=manager)
    assert r.status_code == 403  # a settlement spans every jurisdiction
    r = await world.api.get(f"/v1/brokers/{sg}", headers=as_(world, AUDITOR))
    assert r.status_code == 200
    r = await world.api.post(f"/v1/brokers/{sg}/agreements", json={}, headers=as_(world, AUDITOR))
    assert r.status_code == 403  # auditors read everything and write nothing


async def test_maker_and_checker_are_authenticated_subjects(world: World) -> None:
    broker = await world.broker()
    path = f"/v1/brokers/{broker}/bank-detail-changes"
    r = await world.api.post(
        path, json={"change_id": world.id("CH"), "bank": DE_BANK}, headers=user("alice")
    )
    assert r.status_code == 202
    # alice cannot approve her own change by naming someone else
    spoofed = {**user("alice"), "X-Actor": "bob"}
    r = await world.api.post(f"{path}/{world.id('CH')}/approve", headers=spoofed)
    assert r.status_code == 403
    r = await world.api.post(f"{path}/{world.id('CH')}/approve", headers=user("alice"))
    assert (r.status_code, r.json()["rule"]) == (422, "four-eyes")
    r = await world.api.post(f"{path}/{world.id('CH')}/approve", headers=user("bob"))
    assert (r.status_code, r.json()["decided_by"]) == (200, "bob")

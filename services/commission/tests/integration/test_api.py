"""The broker register over HTTP: idempotency, maker-checker, problem+json, operations."""

from __future__ import annotations

from .conftest import World, user

NO_CREDENTIAL = {"Authorization": ""}

DE_BANK = {
    "account_holder": "Euro Brokers GmbH",
    "country": "DE",
    "currency": "EUR",
    "iban": "DE89 3704 0044 0532 0130 00",
    "bic": "COBADEFFXXX",
}


async def test_registering_again_is_idempotent_and_other_details_conflict(world: World) -> None:
    broker = await world.broker()
    body = {
        "broker_id": broker,
        "name": "Broker BRK",
        "jurisdiction": "SG",
        "bank": {
            "account_holder": "Broker BRK Pte Ltd",
            "country": "SG",
            "currency": "SGD",
            "bank_code": "7171",
            "branch_code": "081",
            "account_number": "1234567890",
        },
    }
    again = await world.api.post("/v1/brokers", json=body)
    assert (again.status_code, again.headers.get("Idempotent-Replayed")) == (201, "true")
    other = await world.api.post("/v1/brokers", json={**body, "name": "Someone else"})
    assert (other.status_code, other.json()["field"]) == (409, "broker_id")


async def test_bank_details_change_only_after_a_second_user_approves(world: World) -> None:
    broker = await world.broker()
    path = f"/v1/brokers/{broker}/bank-detail-changes"
    r = await world.api.post(
        path, json={"change_id": world.id("CH1"), "bank": DE_BANK}, headers=user("alice")
    )
    assert (r.status_code, r.json()["status"]) == (202, "pending")
    assert (await world.api.get(f"/v1/brokers/{broker}")).json()["bank"]["country"] == "SG"
    own = await world.api.post(f"{path}/{world.id('CH1')}/approve", headers=user("alice"))
    assert (own.status_code, own.json()["rule"]) == (422, "four-eyes")
    anonymous = await world.api.post(f"{path}/{world.id('CH1')}/approve", headers=NO_CREDENTIAL)
    assert (anonymous.status_code, anonymous.json()["rule"]) == (401, "unauthenticated")
    unnamed = await world.api.post(
        path, json={"change_id": world.id("CH2"), "bank": DE_BANK}, headers=NO_CREDENTIAL
    )
    assert unnamed.status_code == 401
    ok = await world.api.post(f"{path}/{world.id('CH1')}/approve", headers=user("bob"))
    assert (ok.status_code, ok.json()["decided_by"]) == (200, "bob")
    bank = (await world.api.get(f"/v1/brokers/{broker}")).json()["bank"]
    assert bank["iban"] == "DE89370400440532013000"
    history = (await world.api.get(path)).json()["changes"]
    assert [(c["status"], c["requested_by"]) for c in history] == [
        ("approved", "maker"),
        ("approved", "alice"),
    ]


async def test_four_eyes_compares_identities_not_spellings(world: World) -> None:
    broker = await world.broker()
    path = f"/v1/brokers/{broker}/bank-detail-changes"
    r = await world.api.post(
        path, json={"change_id": world.id("CH"), "bank": DE_BANK}, headers=user("mallory")
    )
    assert r.status_code == 202
    for alias in ("Mallory", " MALLORY ", "maLLory"):
        own = await world.api.post(f"{path}/{world.id('CH')}/approve", headers=user(alias))
        assert (own.status_code, own.json()["rule"]) == (422, "four-eyes"), alias
    assert (await world.api.get(f"/v1/brokers/{broker}")).json()["bank"]["country"] == "SG"


async def test_first_bank_details_wait_for_a_second_user(world: World) -> None:
    broker = await world.broker(approve=False)
    doc = (await world.api.get(f"/v1/brokers/{broker}")).json()
    assert doc["bank"] is None
    assert [c["change_id"] for c in doc["pending_bank_changes"]] == [f"{broker}:initial"]
    approve = f"/v1/brokers/{broker}/bank-detail-changes/{broker}:initial/approve"
    own = await world.api.post(approve, headers=user("Maker"))
    assert (own.status_code, own.json()["rule"]) == (422, "four-eyes")
    ok = await world.api.post(approve, headers=user("checker"))
    assert (ok.status_code, ok.json()["note"]) == (200, "registration")
    assert (await world.api.get(f"/v1/brokers/{broker}")).json()["bank"]["country"] == "SG"


async def test_bad_input_is_a_problem_naming_the_field_and_writes_nothing(world: World) -> None:
    bad_iban = {**DE_BANK, "iban": "DE89370400440532013001"}
    r = await world.api.post(
        "/v1/brokers",
        json={"broker_id": world.id("X"), "name": "X", "jurisdiction": "DE", "bank": bad_iban},
    )
    assert r.headers["content-type"] == "application/problem+json"
    assert (r.status_code, r.json()["field"], r.json()["rule"]) == (
        422,
        "bank.iban",
        "invalid-bank-details",
    )
    assert (await world.api.get(f"/v1/brokers/{world.id('X')}")).status_code == 404
    broker = await world.broker()
    rate = {"product": "motor", "first_year_rate": 0.15, "renewal_rate": "0.05"}
    r = await world.api.post(
        f"/v1/brokers/{broker}/agreements",
        json={"agreement_id": world.id("AG"), "effective_from": "2026-01-01", "rates": [rate]},
    )
    assert (r.status_code, r.json()["field"]) == (422, "rates[0].first_year_rate")
    r = await world.api.post(
        f"/v1/brokers/{broker}/agreements",
        json={
            "agreement_id": world.id("AG"),
            "effective_from": "2026-01-01",
            "rates": [{**rate, "first_year_rate": "1.5"}],
        },
    )
    assert (r.status_code, r.json()["rule"]) == (422, "invalid-rate")
    assert (await world.api.get(f"/v1/brokers/{broker}/agreements")).json()["agreements"] == []


async def test_operations_endpoints(world: World) -> None:
    assert (await world.api.get("/healthz")).json() == {"status": "ok"}
    await world.sync()
    ready = (await world.api.get("/readyz")).json()
    assert ready["database"] == "ok"
    assert ready["consumer"]["name"] == "commission"
    metrics = (await world.api.get("/metrics")).text
    assert "eventfeed_events_processed_total" in metrics
    assert "commission_http_requests_total" in metrics


async def test_problems_name_the_field_and_read_well(world: World) -> None:
    broken = await world.api.post(
        "/v1/settlements", content=b'{"period": ', headers={"content-type": "application/json"}
    )
    assert (broken.status_code, broken.json()["field"]) == (422, "body")
    assert broken.json()["errors"][0]["message"].startswith("not valid JSON (at character")
    broker = await world.broker()
    r = await world.api.get(f"/v1/brokers/{broker}/accruals", params={"period": "2026-13"})
    assert (r.status_code, r.json()["field"]) == (422, "period")
    assert (
        r.json()["detail"]
        == "period: '2026-13' is not a period like 2026-11 (YYYY-MM, 1900-01 to 2199-12)"
    )
    assert "^" not in r.text  # no regex shown
    r = await world.api.get(f"/v1/brokers/{broker}/statements/2026-11", params={"format": "pdf"})
    assert (r.status_code, r.json()["field"]) == (422, "format")
    assert "^" not in r.text
    r = await world.api.get(f"/v1/brokers/{broker}/statements/2026-11")
    assert (r.status_code, r.json()["field"]) == (404, "period")
    r = await world.api.post(
        f"/v1/brokers/{broker}/statements/2026-11/paid",
        json={"reference": "R", "paid_on": "2026-12-01"},
    )
    assert (r.status_code, r.json()["field"]) == (404, "period")
    path = f"/v1/brokers/{broker}/bank-detail-changes"
    r = await world.api.post(f"{path}/NOPE/approve", headers=user("bob"))
    assert (r.status_code, r.json()["field"]) == (404, "change_id")
    await world.api.post(
        path, json={"change_id": world.id("CH"), "bank": DE_BANK}, headers=user("alice")
    )
    await world.api.post(f"{path}/{world.id('CH')}/reject", headers=user("bob"))
    r = await world.api.post(f"{path}/{world.id('CH')}/approve", headers=user("carol"))
    assert (r.status_code, r.json()["rule"], r.json()["field"]) == (
        422,
        "change-not-pending",
        "change_id",
    )

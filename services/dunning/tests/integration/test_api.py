"""The collector's HTTP API: worklist, credit check, blacklist, policies, errors, health."""

from __future__ import annotations

from servicekit.auth import CREDIT_CONTROLLER

from .conftest import IDENTITY, Stack, invoice, open_account


async def test_worklist_credit_check_and_blacklist(stack: Stack) -> None:
    s = stack
    for acc, amount in (("W1", "4000.00"), ("W2", "300.00")):
        await open_account(s, acc, credit_limit="5000.00")
        await invoice(s, acc, "I1", amount, due="2026-01-31")
    await invoice(s, "W1", "I0", "500.00", due="2026-01-10")
    await s.run("2026-02-01")
    await s.run("2026-02-02")
    r = await s.api.get("/v1/worklist", params={"jurisdiction": "SG", "sort": "days_past_due"})
    rows = r.json()["accounts"]
    assert [a["account_id"] for a in rows] == ["W1", "W2"]
    assert (rows[0]["level"], rows[0]["days_past_due"], rows[0]["overdue"]) == (2, 23, "4500.00")
    assert rows[0]["next_action"]["kind"] == "level"
    assert (await s.api.get("/v1/worklist", params={"min_level": 2})).json()["total"] == 1

    ok = await s.api.get("/v1/credit-check", params={"account_id": "W2", "amount": "100.00"})
    assert ok.json()["allowed"] is True
    # amounts leave in the currency's format, whatever form they came in
    r = await s.api.get("/v1/credit-check", params={"account_id": "W2", "amount": "1"})
    assert (r.json()["amount"], r.json()["currency"]) == ("1.00", "SGD")
    r = await s.api.get("/v1/credit-check", params={"account_id": "W2"})  # as it stands
    assert (r.status_code, r.json()["amount"]) == (200, "0.00")
    for nothing in ("0", "0.00"):
        r = await s.api.get("/v1/credit-check", params={"account_id": "W2", "amount": nothing})
        assert (r.status_code, r.json()["field"]) == (422, "amount"), r.text
        assert "more than zero" in r.json()["detail"]
    r = await s.api.get("/v1/credit-check", params={"account_id": "W1", "amount": "600.00"})
    assert {x["code"] for x in r.json()["reasons"]} == {"over_limit"}  # 4500 + 600 > 5000
    r = await s.api.post(
        "/v1/blacklist",
        json={
            "account_id": "W2",
            "reason": "fraud",
            "jurisdiction": "SG",
            "expires_on": "2026-06-01",
        },
        headers=IDENTITY.headers(CREDIT_CONTROLLER, subject="collector-7"),
    )
    assert r.status_code == 201, r.text
    r = await s.api.get("/v1/credit-check", params={"account_id": "W2", "amount": "1.00"})
    assert r.json()["allowed"] is False
    assert [x["code"] for x in r.json()["reasons"]] == ["blacklisted"]
    assert (await s.api.delete("/v1/blacklist/W2")).status_code == 204
    assert (await s.api.delete("/v1/blacklist/W2")).status_code == 404
    assert "AccountBlacklisted" in await s.event_types("W2")


async def test_errors_are_problem_json_naming_the_field(stack: Stack) -> None:
    s = stack
    await open_account(s, "E1")
    await invoice(s, "E1", "I1", "100.00", due="2026-01-31")
    await s.sync()
    r = await s.api.post(
        "/v1/accounts/E1/promises",
        json={"promise_id": "P", "amount": 100, "promised_date": "2026-02-10"},
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["field"] == "amount"
    r = await s.api.post(
        "/v1/accounts/E1/promises",
        json={"promise_id": "P", "amount": "100.001", "promised_date": "2026-03-10"},
    )
    assert (r.status_code, r.json()["field"]) == (422, "amount")
    body = {"promise_id": "P", "amount": "100.00", "promised_date": "2026-03-10"}
    assert (await s.api.post("/v1/accounts/E1/promises", json=body)).status_code == 201
    r = await s.api.post("/v1/accounts/E1/promises", json={**body, "amount": "90.00"})
    assert (r.status_code, r.json()["rule"]) == (409, "idempotency-conflict")
    r = await s.api.post(
        "/v1/accounts/NOPE/contacts",
        json={"contact_id": "C1", "channel": "call", "outcome": "no answer"},
    )
    assert (r.status_code, r.json()["field"]) == (404, "account_id")
    r = await s.api.post(
        "/v1/accounts/E1/payment-plans",
        json={
            "plan_id": "PL",
            "installments": [
                {"due_date": "2026-04-10", "amount": "50.00"},
                {"due_date": "2026-04-01", "amount": "50.00"},
            ],
        },
    )
    assert (r.status_code, r.json()["field"]) == (422, "installments[1].due_date")
    r = await s.api.post(
        "/v1/accounts/E1/contacts",
        json={
            "contact_id": "C1",
            "channel": "call",
            "outcome": "promised to pay",
            "note": "spoke to AP clerk",
        },
    )
    assert r.status_code == 201, r.text
    view = await s.view("E1")
    assert view["contacts"][0]["outcome"] == "promised to pay"


async def test_policies_health_and_metrics(stack: Stack) -> None:
    s = stack
    policies = (await s.api.get("/v1/policies")).json()["policies"]
    assert {p["policy_id"] for p in policies} >= {"sg-default", "hk-default"}
    assert (await s.api.get("/healthz")).json() == {"status": "ok"}
    ready = await s.api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"
    metrics = await s.api.get("/metrics")
    assert "dunning_http_requests_total" in metrics.text

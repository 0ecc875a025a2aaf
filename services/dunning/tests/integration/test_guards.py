"""What QA found: a run for a far-future date acted for real, promises without bounds,
replays without the header, malformed JSON named "[1]", regexes in messages."""

from __future__ import annotations

import pytest

from devstack.pytest_plugin import DatabaseFactory
from dunning.cli import main

from .conftest import Stack, invoice, open_account


async def test_a_run_for_a_date_after_today_is_refused_and_does_nothing(stack: Stack) -> None:
    s = stack
    await open_account(s, "F1")
    await invoice(s, "F1", "I1", "800.00", due="2026-01-31")
    await s.sync()
    today = s.clock.day
    for later in ("2099-01-01", "2026-03-02"):
        r = await s.api.post("/v1/dunning-runs", json={"as_of": later})
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert (r.json()["rule"], r.json()["field"]) == ("as-of-in-future", "as_of")
    assert (await s.view("F1"))["history"] == []  # no reminder, no escalation
    r = await s.api.post("/v1/dunning-runs", json={"as_of": today.isoformat()})
    assert r.status_code == 200, r.text


def test_the_command_line_refuses_a_run_after_today(
    make_database: DatabaseFactory,
    dunning_template: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DUNNING_DATABASE_URL", make_database("cli", template=dunning_template))
    assert main(["run", "--as-of", "2099-01-01"]) == 2
    assert "after today" in capsys.readouterr().err


async def test_a_promise_is_at_most_the_balance_and_one_at_a_time(stack: Stack) -> None:
    s = stack
    await open_account(s, "PM")
    await invoice(s, "PM", "I1", "800.00", due="2026-01-31")
    await s.sync()
    path = "/v1/accounts/PM/promises"
    huge = {"promise_id": "P1", "amount": "999999999999999", "promised_date": "2026-03-10"}
    r = await s.api.post(path, json=huge)
    assert r.status_code == 422, r.text
    assert (r.json()["rule"], r.json()["field"]) == ("promise-exceeds-balance", "amount")
    assert "800.00" in r.json()["detail"]
    first = {"promise_id": "P1", "amount": "800.00", "promised_date": "2026-03-10"}
    assert (await s.api.post(path, json=first)).status_code == 201
    second = {"promise_id": "P2", "amount": "100.00", "promised_date": "2026-03-12"}
    r = await s.api.post(path, json=second)
    assert r.status_code == 422, r.text
    assert (r.json()["rule"], r.json()["field"]) == ("promise-already-open", "promise_id")
    assert [p["promise_id"] for p in (await s.view("PM"))["promises"]] == ["P1"]
    again = await s.api.post(path, json=first)  # the replay of the open one still answers
    assert (again.status_code, again.headers.get("Idempotent-Replayed")) == (201, "true")
    plan = {"plan_id": "PL", "installments": [{"due_date": "2026-04-01", "amount": "10.00"}]}
    r = await s.api.post("/v1/accounts/PM/payment-plans", json=plan)
    assert (r.status_code, r.headers.get("Idempotent-Replayed")) == (201, None)
    r = await s.api.post("/v1/accounts/PM/payment-plans", json=plan)
    assert (r.status_code, r.headers.get("Idempotent-Replayed")) == (201, "true")
    contact = {"contact_id": "C1", "channel": "call", "outcome": "no answer"}
    r = await s.api.post("/v1/accounts/PM/contacts", json=contact)
    assert (r.status_code, r.headers.get("Idempotent-Replayed")) == (201, None)
    r = await s.api.post("/v1/accounts/PM/contacts", json=contact)
    assert (r.status_code, r.headers.get("Idempotent-Replayed")) == (201, "true")


async def test_malformed_json_and_patterns_read_well(stack: Stack) -> None:
    s = stack
    r = await s.api.post(
        "/v1/dunning-runs", content=b'{"as_of": ', headers={"content-type": "application/json"}
    )
    assert (r.status_code, r.json()["field"]) == (422, "body")
    assert r.json()["detail"].startswith("body: not valid JSON (at character")
    r = await s.api.get("/v1/credit-check", params={"account_id": "X", "amount": "lots"})
    assert (r.status_code, r.json()["field"]) == (422, "amount")
    assert (
        r.json()["detail"]
        == """amount: 'lots' is not a positive decimal amount such as "500.00\""""
    )

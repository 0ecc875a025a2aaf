"""What QA found: a run for a far-future date acted for real, promises without bounds,
replays without the header, malformed JSON named "[1]", regexes in messages."""

from __future__ import annotations

import pytest

from devstack.postgres import execute
from devstack.pytest_plugin import DatabaseFactory
from dunning.cli import main

from .conftest import Stack, invoice, open_account, pay


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


async def test_runs_only_move_forward(stack: Stack) -> None:
    """A run for an earlier date (or year 1) used to clear levels and reinstate cover while
    the money was still overdue, and the next run restarted at the friendly reminder."""
    s = stack
    await open_account(s, "FW")
    await invoice(s, "FW", "I1", "800.00", due="2026-01-31", policy_id="POL-F")
    for day in ("2026-02-01", "2026-02-15", "2026-03-02"):
        await s.run(day)
    before = await s.view("FW")
    assert (before["level"], before["suspended_policies"]) == (3, ["POL-F"])
    for earlier in ("2026-02-20", "2026-01-01"):
        r = await s.api.post("/v1/dunning-runs", json={"as_of": earlier})
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert (r.json()["rule"], r.json()["field"]) == ("run-date-before-last-run", "as_of")
        assert "2026-03-02" in r.json()["detail"]
    year_one = await s.api.post("/v1/dunning-runs", json={"as_of": "0001-01-01"})
    assert (year_one.status_code, year_one.json()["field"]) == (422, "as_of")  # not a date
    after = await s.view("FW")
    assert (after["level"], after["suspended_policies"]) == (3, ["POL-F"])
    assert after["history"] == before["history"]
    assert (await s.run("2026-03-02"))["actions"] == {}  # the last date again is fine
    assert (await s.run("2026-03-03"))["actions"] == {}  # and later: no restart at level 1


async def test_a_back_dated_run_quotes_the_balance_on_its_date(stack: Stack) -> None:
    s = stack
    await open_account(s, "BD")
    await invoice(s, "BD", "I1", "800.00", due="2026-01-31")
    await pay(s, "BD", "P1", "500.00", on="2026-02-20", invoice_id="I1")
    await s.run("2026-02-05")  # today is 1 March: the run is back-dated before the payment
    notice = next(h for h in (await s.view("BD"))["history"] if h["type"] == "ReminderSent")
    assert notice["data"]["overdue_amount"] == "800.00"
    assert notice["data"]["invoices"][0]["open_amount"] == "800.00"


def test_the_command_line_refuses_a_run_before_the_last(
    make_database: DatabaseFactory,
    dunning_template: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = make_database("cli_back", template=dunning_template)
    monkeypatch.setenv("DUNNING_DATABASE_URL", url)
    monkeypatch.setenv("DUNNING_LEDGER_URL", "http://127.0.0.1:9")  # never reached
    execute(url, "INSERT INTO dunning_runs VALUES ('2026-02-15', 1, 0, 0, now(), now())")
    assert main(["run", "--as-of", "2026-02-01"]) == 2
    assert "run-date-before-last-run" in capsys.readouterr().err


async def test_nul_in_a_text_field_or_query_is_a_422_and_writes_nothing(stack: Stack) -> None:
    s = stack
    body = {"account_id": "NUL1", "reason": "fraud\u0000", "jurisdiction": "SG"}
    r = await s.api.post("/v1/blacklist", json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert (r.json()["rule"], r.json()["field"]) == ("nul-character", "reason")
    assert (await s.api.get("/v1/blacklist")).json()["entries"] == []
    r = await s.api.get("/v1/credit-check", params={"account_id": "A\x00"})
    assert (r.status_code, r.json()["field"]) == (422, "account_id")


@pytest.mark.parametrize(
    ("method", "path", "data", "field"),
    [
        ("GET", "/v1/worklist", {"min_level": "99999999999999999999"}, "min_level"),
        ("GET", "/v1/worklist", {"page": "2147483648"}, "page"),
        ("GET", "/v1/events", {"after": "99999999999999999999"}, "after"),
        (
            "POST",
            "/v1/accounts/E1/promises",
            {"promise_id": "P1", "amount": "1.00", "promised_date": "9999-12-31"},
            "promised_date",
        ),
        ("POST", "/v1/dunning-runs", {"as_of": "0001-01-01"}, "as_of"),
        (
            "POST",
            "/v1/blacklist",
            {"account_id": "E1", "reason": "r", "jurisdiction": "SG", "expires_on": "0001-01-01"},
            "expires_on",
        ),
    ],
)
async def test_numbers_and_dates_out_of_range_are_422(
    stack: Stack, method: str, path: str, data: dict[str, str], field: str
) -> None:
    if method == "GET":
        r = await stack.api.get(path, params=data)
    else:
        r = await stack.api.post(path, json=data)
    assert r.status_code == 422, r.text
    assert (r.json()["rule"], r.json()["field"]) == ("validation", field)

"""Scenarios across business dates, driven through the ledger's HTTP API (sg-default policy:
reminder at 1 day past due, final notice + fee at 15, suspension at 30)."""

from __future__ import annotations

from datetime import date, timedelta

from .conftest import Stack, invoice, open_account, pay


def days(start: str, end: str) -> list[date]:
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    return [a + timedelta(days=n) for n in range((b - a).days + 1)]


async def levels_over(s: Stack, account_id: str, start: str, end: str) -> dict[str, int]:
    out = {}
    for day in days(start, end):
        await s.run(day)
        out[day.isoformat()] = (await s.view(account_id))["level"]
    return out


async def test_killbill_partial_payments_reanchor_without_skip_or_repeat(stack: Stack) -> None:
    s = stack
    await open_account(s, "KB")
    await invoice(s, "KB", "I1", "1000.00", due="2026-01-31")
    await invoice(s, "KB", "I2", "500.00", due="2026-02-10")
    assert (await levels_over(s, "KB", "2026-02-01", "2026-02-01")) == {"2026-02-01": 1}

    # A partial payment of the oldest invoice keeps the earliest unpaid due date ...
    await pay(s, "KB", "P1", "400.00", on="2026-02-05", invoice_id="I1")
    view = await s.view("KB")
    assert (view["level"], view["earliest_unpaid_due_date"]) == (1, "2026-01-31")
    await s.run("2026-02-14")
    assert (await s.view("KB"))["level"] == 1
    await s.run("2026-02-15")  # ... so level 2 comes 15 days after I1's due date
    assert (await s.view("KB"))["level"] == 2

    # Settling I1 re-anchors on I2 (due 10 Feb): 10 days past due, level 1 at once.
    await pay(s, "KB", "P2", "600.00", on="2026-02-20", invoice_id="I1")
    view = await s.view("KB")
    assert (view["level"], view["earliest_unpaid_due_date"]) == (1, "2026-02-10")
    history = await levels_over(s, "KB", "2026-02-21", "2026-02-25")
    assert history == {
        "2026-02-21": 1,
        "2026-02-22": 1,
        "2026-02-23": 1,
        "2026-02-24": 1,
        "2026-02-25": 2,
    }  # 15 days after I2's due date: not skipped
    types = await s.event_types("KB")
    assert types.count("ReminderSent") == 1  # and nothing repeated in the episode
    assert types.count("FinalNoticeSent") == 1
    assert types.count("FeeCharged") == 1
    reached = [h for h in (await s.view("KB"))["history"] if h["type"] == "DunningLevelReached"]
    assert [(h["data"]["level"], h["occurred_on"]) for h in reached] == [
        (1, "2026-02-01"),
        (2, "2026-02-15"),
        (2, "2026-02-25"),
    ]


async def test_promise_broken_resumes_where_it_was(stack: Stack) -> None:
    s = stack
    await open_account(s, "PB")
    await invoice(s, "PB", "I1", "1000.00", due="2026-01-31")
    await s.run("2026-02-01")
    promise = {
        "promise_id": "PR-1",
        "amount": "1000.00",
        "promised_date": "2026-02-20",
        "made_on": "2026-02-02",
        "note": "customer will pay after payroll",
    }
    r = await s.api.post("/v1/accounts/PB/promises", json=promise)
    assert r.status_code == 201, r.text
    again = await s.api.post("/v1/accounts/PB/promises", json=promise)
    # a replay answers as the first request did (as the ledger does), marked as a replay
    assert (again.status_code, again.headers.get("Idempotent-Replayed")) == (201, "true")
    assert again.json() == r.json()
    await s.run("2026-02-15")
    await s.run("2026-02-23")  # paused: promised date + 3 days' grace
    view = await s.view("PB")
    assert (view["level"], view["paused"]) == (1, True)
    assert view["next_action"]["kind"] == "paused"
    await pay(s, "PB", "P1", "200.00", on="2026-02-18")  # not enough
    result = await s.run("2026-02-24")
    assert result["actions"]["PromiseBroken"] == 1
    assert result["actions"]["DunningLevelReached"] == 1
    view = await s.view("PB")
    assert (view["level"], view["paused"]) == (2, False)  # resumed from 1, one step
    broken = next(h for h in view["history"] if h["type"] == "PromiseBroken")
    assert broken["data"] | {"account_id": "PB"} == broken["data"]
    assert (broken["data"]["paid"], broken["data"]["resumed_level"]) == ("200.00", 1)


async def test_promise_kept_clears(stack: Stack) -> None:
    s = stack
    await open_account(s, "PK")
    await invoice(s, "PK", "I1", "1000.00", due="2026-01-31")
    await s.run("2026-02-01")
    r = await s.api.post(
        "/v1/accounts/PK/promises",
        json={
            "promise_id": "PR-1",
            "amount": "1000.00",
            "promised_date": "2026-02-10",
            "made_on": "2026-02-02",
        },
    )
    assert r.status_code == 201, r.text
    await pay(s, "PK", "P1", "1000.00", on="2026-02-09")
    view = await s.view("PK")
    assert view["level"] == 0
    assert view["promises"][0]["status"] == "kept"
    assert (await s.event_types("PK"))[-2:] == ["PromiseKept", "DunningCleared"]


async def test_payment_plan_kept_and_completed_then_another_broken(stack: Stack) -> None:
    s = stack
    for acc in ("PLK", "PLB"):
        await open_account(s, acc)
        await invoice(s, acc, "I1", "900.00", due="2026-01-31")
    await s.run("2026-02-01")
    plan = {
        "plan_id": "PL-1",
        "agreed_on": "2026-02-03",
        "installments": [
            {"due_date": "2026-02-10", "amount": "300.00"},
            {"due_date": "2026-03-10", "amount": "300.00"},
            {"due_date": "2026-04-10", "amount": "300.00"},
        ],
    }
    for acc in ("PLK", "PLB"):
        r = await s.api.post(f"/v1/accounts/{acc}/payment-plans", json=plan)
        assert r.status_code == 201, r.text
    for acc in ("PLK", "PLB"):
        await pay(s, acc, "P1", "300.00", on="2026-02-10", invoice_id="I1")
    await pay(s, "PLK", "P2", "300.00", on="2026-03-09", invoice_id="I1")
    await s.run("2026-03-13")  # 10 Mar + 3 days of grace: still open for both
    assert (await s.view("PLB"))["payment_plans"][0]["status"] == "open"
    await s.run("2026-03-14")  # past the grace: PLB missed its second installment
    kept, broken = await s.view("PLK"), await s.view("PLB")
    assert (kept["paused"], kept["level"]) == (True, 1)  # kept: no escalation at 41 days
    assert broken["payment_plans"][0]["status"] == "broken"
    assert broken["payment_plans"][0]["missed_due_date"] == "2026-03-10"
    assert broken["level"] == 2  # resumed where it was (1), one step a day
    await pay(s, "PLK", "P3", "300.00", on="2026-04-08", invoice_id="I1")
    kept = await s.view("PLK")
    assert kept["payment_plans"][0]["status"] == "completed"
    assert kept["level"] == 0
    assert "PaymentPlanCompleted" in await s.event_types("PLK")


async def test_dispute_excludes_the_invoice_until_resolved(stack: Stack) -> None:
    s = stack
    await open_account(s, "DS")
    await invoice(s, "DS", "I1", "1000.00", due="2026-01-31", policy_id="POL-1")
    await s.post(
        "/v1/accounts/DS/invoices/I1/dispute",
        {"reason": "cover not as agreed", "disputed_on": "2026-01-25"},
    )
    assert (await s.run("2026-02-01"))["actions"] == {}
    await s.run("2026-03-05")
    view = await s.view("DS")
    assert (view["level"], view["overdue"]) == (0, "0.00")
    assert view["open_items"][0]["disputed"] is True
    await s.post(
        "/v1/accounts/DS/invoices/I1/dispute/resolve",
        {"resolution": "upheld", "resolved_on": "2026-03-06"},
    )
    result = await s.run("2026-03-06")
    assert result["actions"] == {"DunningLevelReached": 1, "ReminderSent": 1}
    # a dispute opened at level 3 reinstates the suspended cover at once
    for day in ("2026-03-07", "2026-03-08"):
        await s.run(day)
    assert (await s.view("DS"))["suspended_policies"] == ["POL-1"]
    await s.post(
        "/v1/accounts/DS/invoices/I1/dispute", {"reason": "again", "disputed_on": "2026-03-09"}
    )
    view = await s.view("DS")
    assert view["suspended_policies"] == []
    assert view["level"] == 1  # only the dunning fee (due 7 Mar) is still overdue
    assert [i["invoice_id"] for i in view["open_items"] if i["overdue"]] == [
        view["fees"][0]["adjustment_id"]
    ]

"""``dunning replay``: the receivables projection rebuilt from ledger position 0 equals the
live one, and dunning's own decisions (levels, actions, arrangements) are left as they were."""

from __future__ import annotations

from typing import Any

from .conftest import Stack, invoice, open_account, pay


async def snapshot(s: Stack, accounts: list[str]) -> dict[str, Any]:
    views = {a: (await s.api.get(f"/v1/accounts/{a}/dunning")).json() for a in accounts}
    events = (await s.api.get("/v1/events", params={"limit": 1000})).json()["events"]
    worklist = (await s.api.get("/v1/worklist", params={"sort": "account_id"})).json()
    return {"accounts": views, "events": events, "worklist": worklist}


async def ledger_event_count(s: Stack) -> int:
    r = await s.ledger.get("/v1/events", params={"after": 0, "limit": 1000})
    return len(r.json()["events"])


async def test_replay_rebuilds_the_live_projection_and_decides_nothing(stack: Stack) -> None:
    s = stack
    await open_account(s, "R1")
    await open_account(s, "R2")
    # Not due until June: a replay that decided would see nothing overdue after this event
    # alone and clear R1, whose level the later invoices set.
    await invoice(s, "R1", "I0", "200.00", due="2026-06-30", policy_id="POL-0")
    await invoice(s, "R1", "I1", "1000.00", due="2026-01-31", policy_id="POL-1")
    await invoice(s, "R1", "I2", "500.00", due="2026-02-10", policy_id="POL-2")
    await invoice(s, "R2", "I1", "80.00", due="2026-01-20")
    await s.run("2026-02-01")
    await pay(s, "R1", "P1", "400.00", on="2026-02-05", invoice_id="I1")
    await pay(s, "R2", "P1", "80.00", on="2026-02-05", invoice_id="I1")  # clears R2 at once
    await s.run("2026-02-15")  # R1: final notice and a fee, posted to the ledger
    r = await s.api.post(
        "/v1/accounts/R1/promises",
        json={"promise_id": "PR1", "amount": "600.00", "promised_date": "2026-03-10"},
    )
    assert r.status_code == 201, r.text
    await s.run("2026-03-05")
    live = await snapshot(s, ["R1", "R2"])
    assert live["accounts"]["R1"]["level"] == 2
    fee = [i for i in live["accounts"]["R1"]["open_items"] if i["kind"] == "debit_note"]
    assert [i["open_amount"] for i in fee] == ["25.00"]  # the fee came back from the ledger
    assert (live["accounts"]["R2"]["level"], live["accounts"]["R2"]["overdue"]) == (0, "0.00")

    report = await s.dunning.replay()

    assert report.differ == []
    assert report.accounts == 2
    assert report.events == await ledger_event_count(s)
    assert await snapshot(s, ["R1", "R2"]) == live  # levels, history, worklist unchanged
    # the consumer goes on from the head: only new events apply, once
    await pay(s, "R1", "P2", "100.00", on="2026-03-06", invoice_id="I1")
    assert await s.sync() == 2  # PaymentReceived, PaymentAllocated
    assert (await s.view("R1"))["balance"] == "1225.00"

"""Allocation order per jurisdiction and customer segment, recorded in the ledger's event."""

from __future__ import annotations

from typing import Any

from .conftest import World
from .samples import Entry, camt053


async def _received(world: World, account_id: str) -> dict[str, Any]:
    events = (await world.ledger.get(f"/v1/accounts/{account_id}/events")).json()["events"]
    [received] = [e for e in events if e["type"] == "PaymentReceived"]
    return dict(received["data"])


async def _match_40_without_invoices(world: World, part: dict[str, Any]) -> Any:
    await world.upload(camt053([Entry(world.id("E"), "40.00", "NOBODY KNOWN", "feb")]))
    [line] = await world.lines("review")
    return await world.api.post(f"/v1/lines/{line['line_id']}/match", json={"parts": [part]})


async def test_a_segment_has_its_own_order(world: World) -> None:
    acc = await world.account("A", "Orchard Holdings")
    inv = await world.invoice(acc, "INV-1", "100.00", due="2026-01-31")
    fee = await world.fee(acc, "FEE-1", "15.00")
    await world.sync()

    before = await world.api.get(f"/v1/accounts/{acc}/segment")
    r = await world.api.put(f"/v1/accounts/{acc}/segment", json={"segment": "corporate"})
    matched = await _match_40_without_invoices(world, {"account_id": acc, "auto_allocate": True})

    assert before.json() == {
        "account_id": acc,
        "jurisdiction": "SG",
        "segment": None,
        "allocation_order": "oldest_due_first",
    }
    assert (r.status_code, r.json()["allocation_order"]) == (200, "fees_first"), r.text
    assert matched.status_code == 200, matched.text
    assert await world.open_amount(acc, fee) == "0.00"  # SG corporate: fees first
    assert await world.open_amount(acc, inv) == "75.00"
    assert (await _received(world, acc))["allocation_order"] == "fees_first"


async def test_without_a_segment_the_jurisdictions_order_applies(world: World) -> None:
    acc = await world.account("A", "Orchard Holdings")
    inv = await world.invoice(acc, "INV-1", "100.00", due="2026-01-31")
    fee = await world.fee(acc, "FEE-1", "15.00")
    await world.sync()
    await world.api.put(f"/v1/accounts/{acc}/segment", json={"segment": "corporate"})
    cleared = await world.api.put(f"/v1/accounts/{acc}/segment", json={"segment": None})

    matched = await _match_40_without_invoices(world, {"account_id": acc, "auto_allocate": True})

    assert cleared.json()["allocation_order"] == "oldest_due_first"
    assert matched.status_code == 200, matched.text
    assert await world.open_amount(acc, inv) == "60.00"  # SG: oldest due first
    assert await world.open_amount(acc, fee) == "15.00"
    assert (await _received(world, acc))["allocation_order"] == "oldest_due_first"


async def test_a_clerk_may_name_the_policy_to_pay_first(world: World) -> None:
    acc = await world.account("A", "Orchard Holdings")
    old = await world.invoice(acc, "INV-1", "100.00", due="2026-01-31")
    life = await world.invoice(acc, "INV-2", "50.00", due="2026-02-28", policy_id="GL-7")
    await world.sync()

    matched = await _match_40_without_invoices(
        world, {"account_id": acc, "auto_allocate": True, "policy_id": "GL-7"}
    )

    assert matched.status_code == 200, matched.text
    assert await world.open_amount(acc, life) == "10.00"
    assert await world.open_amount(acc, old) == "100.00"
    received = await _received(world, acc)
    assert (received["allocation_order"], received["policy_id"]) == ("by_policy", "GL-7")


async def test_bad_segments_and_unknown_accounts_are_refused(world: World) -> None:
    acc = await world.account("A", "Orchard Holdings")
    await world.invoice(acc, "INV-1", "100.00")
    await world.sync()

    unknown = await world.api.put("/v1/accounts/NOPE/segment", json={"segment": "corporate"})
    bad = await world.api.put(f"/v1/accounts/{acc}/segment", json={"segment": "a b"})
    policy_alone = await _match_40_without_invoices(
        world, {"account_id": acc, "policy_id": "GL-7", "allocations": []}
    )

    assert (unknown.status_code, unknown.json()["field"]) == (404, "account_id")
    assert (bad.status_code, bad.json()["field"]) == (422, "segment")
    assert (policy_alone.status_code, policy_alone.json()["field"]) == (422, "parts[0].policy_id")

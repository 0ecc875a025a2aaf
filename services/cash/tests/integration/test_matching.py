"""Matching beyond an exact reference: many invoices, tolerance, over-payment, review."""

from __future__ import annotations

from .conftest import World, user
from .samples import HK_IBAN, Entry, camt053


async def test_one_receipt_across_two_referenced_invoices(world: World) -> None:
    acc = await world.account("A", "Marina Logistics")
    one = await world.invoice(acc, "INV-1", "700.00", due="2026-01-31")
    two = await world.invoice(acc, "INV-2", "300.00", due="2026-02-28")
    await world.sync()

    await world.upload(camt053([Entry(world.id("E"), "1000.00", "", f"{one} {two}")]))

    assert await world.open_amount(acc, one) == "0.00"
    assert await world.open_amount(acc, two) == "0.00"


async def test_a_short_payment_within_tolerance_is_written_off_with_a_reason(
    world: World,
) -> None:
    acc = await world.account("A", "Bukit Timah Bakery")
    inv = await world.invoice(acc, "INV-1", "500.00")
    await world.sync()

    await world.upload(camt053([Entry(world.id("E"), "497.50", "", inv)]))

    assert await world.open_amount(acc, inv) == "0.00"
    summary = await world.summary(acc)
    assert summary["paid"] == "497.50"
    assert summary["written_off"] == "2.50"
    events = (await world.ledger.get(f"/v1/accounts/{acc}/events")).json()["events"]
    [wo] = [e for e in events if e["type"] == "InvoiceWrittenOff"]
    assert "short payment within tolerance" in wo["data"]["reason"]


async def test_a_short_payment_beyond_tolerance_is_a_part_payment(world: World) -> None:
    acc = await world.account("A", "Tiong Bahru Florist")
    inv = await world.invoice(acc, "INV-1", "500.00")
    await world.sync()

    await world.upload(camt053([Entry(world.id("E"), "450.00", "Tiong Bahru Florist", inv)]))

    assert await world.open_amount(acc, inv) == "50.00"
    assert (await world.summary(acc))["written_off"] == "0.00"


async def test_an_over_payment_becomes_unapplied_credit(world: World) -> None:
    acc = await world.account("A", "Sentosa Resorts")
    inv = await world.invoice(acc, "INV-1", "200.00")
    await world.sync()

    await world.upload(camt053([Entry(world.id("E"), "260.00", "Sentosa Resorts", inv)]))

    summary = await world.summary(acc)
    assert summary["open"] == "0.00"
    assert summary["unapplied"] == "60.00"


async def test_without_a_reference_the_line_waits_with_ranked_suggestions(world: World) -> None:
    name = f"Zephyrine Quillfeather {world.tag}"
    acc = await world.account("A", name)
    inv = await world.invoice(acc, "INV-1", "321.00")
    await world.sync()

    r = await world.upload(camt053([Entry(world.id("E"), "321.00", name.upper(), "thanks")]))

    assert r.json()["status"] == {"review": 1}
    [line] = await world.lines("review")
    best = line["suggestions"][0]
    assert best["account_id"] == acc
    assert best["allocations"] == [{"invoice_id": inv, "amount": "321.00"}]
    assert await world.open_amount(acc, inv) == "321.00"

    m = await world.api.post(
        f"/v1/lines/{line['line_id']}/match",
        headers=user("mei"),
        json={"parts": [{"account_id": acc, "allocations": best["allocations"]}]},
    )

    assert m.status_code == 200, m.text
    assert m.json()["status"] == "matched"
    assert m.json()["note"] == "matched by mei"
    assert await world.open_amount(acc, inv) == "0.00"
    again = await world.api.post(
        f"/v1/lines/{line['line_id']}/match", json={"parts": [{"account_id": acc}]}
    )
    assert again.status_code == 422
    assert again.json()["rule"] == "line-state"


async def test_an_unidentified_receipt_is_split_by_hand_over_two_accounts(world: World) -> None:
    a = await world.account("A", "Jurong Shipyard")
    b = await world.account("B", "Changi Catering")
    ia = await world.invoice(a, "INV-A", "100.00")
    ib = await world.invoice(b, "INV-B", "80.00")
    await world.sync()
    await world.upload(camt053([Entry(world.id("E"), "200.00", "GROUP TREASURY", "feb")]))
    [line] = await world.lines("review")
    assert line["note"] == (
        "no account found: unidentified receipt; held in suspense on SUSPENSE-SGD"
    )

    bad = await world.api.post(
        f"/v1/lines/{line['line_id']}/match",
        json={
            "parts": [{"account_id": a, "amount": "100.00"}, {"account_id": b, "amount": "90.00"}]
        },
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "parts"
    m = await world.api.post(
        f"/v1/lines/{line['line_id']}/match",
        json={
            "parts": [
                {
                    "account_id": a,
                    "amount": "100.00",
                    "allocations": [{"invoice_id": ia, "amount": "100.00"}],
                },
                {
                    "account_id": b,
                    "amount": "100.00",
                    "allocations": [{"invoice_id": ib, "amount": "80.00"}],
                },
            ]
        },
    )

    assert m.status_code == 200, m.text
    assert [p["payment_id"] for p in m.json()["postings"]] == [
        line["line_id"],
        f"{line['line_id']}-2",
    ]
    assert await world.open_amount(a, ia) == "0.00"
    assert (await world.summary(b))["unapplied"] == "20.00"


async def test_a_manual_allocation_beyond_the_open_amount_is_refused(world: World) -> None:
    a = await world.account("A", "Pasir Ris Pools")
    ia = await world.invoice(a, "INV-A", "100.00")
    await world.sync()
    await world.upload(camt053([Entry(world.id("E"), "150.00", "", "feb")]))
    [line] = await world.lines("review")

    r = await world.api.post(
        f"/v1/lines/{line['line_id']}/match",
        json={
            "parts": [{"account_id": a, "allocations": [{"invoice_id": ia, "amount": "150.00"}]}]
        },
    )

    assert r.status_code == 422
    assert r.json()["field"] == "parts[0].allocations[0].amount"
    assert (await world.lines("review"))[0]["line_id"] == line["line_id"]


async def test_a_receipt_in_review_can_be_refunded(world: World) -> None:
    await world.upload(camt053([Entry(world.id("E"), "42.00", "UNKNOWN", "??")]))
    [line] = await world.lines("review")
    r = await world.api.post(f"/v1/lines/{line['line_id']}/refund", json={"reason": "not ours"})
    assert r.status_code == 200
    assert r.json()["status"] == "refunded"
    assert await world.lines("review") == []


async def test_a_part_without_invoices_is_allocated_in_the_jurisdictions_order(
    world: World,
) -> None:
    hk = await world.account("HK", "Causeway Bay Optics", jurisdiction="HK")
    inv = await world.invoice(hk, "INV-1", "100.00", due="2026-01-31")
    fee = await world.fee(hk, "FEE-1", "15.00")
    await world.sync()
    await world.upload(camt053([Entry(world.id("E"), "40.00", "CBO", "feb")], iban=HK_IBAN))
    [line] = await world.lines("review")

    r = await world.api.post(
        f"/v1/lines/{line['line_id']}/match",
        json={"parts": [{"account_id": hk, "auto_allocate": True}]},
    )

    assert r.status_code == 200, r.text
    assert await world.open_amount(hk, fee) == "0.00"  # HK: fees first
    assert await world.open_amount(hk, inv) == "75.00"
    events = (await world.ledger.get(f"/v1/accounts/{hk}/events")).json()["events"]
    [received] = [e for e in events if e["type"] == "PaymentReceived"]
    assert received["data"]["allocation_order"] == "fees_first"

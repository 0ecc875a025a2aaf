"""HTTP contract: credit notes, adjustments and debit notes, write-offs and recoveries,
disputes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .api_support import assert_problem, balance, get, invoices, pay, post, unchanged
from .conftest import invoice, open_account


def _path(account_id: str, tail: str) -> str:
    return f"/v1/accounts/{account_id}/{tail}"


# -- credit notes --------------------------------------------------------------------


async def test_credit_note_reduces_an_open_invoice(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "1000.00")
    body = await post(
        client,
        _path(account_id, "credit-notes"),
        {
            "credit_note_id": "CN-1",
            "invoice_id": "INV-1",
            "amount": "200.00",
            "reason": "pro-rata refund of a leaver",
            "issued_on": "2026-01-05",
        },
    )
    assert body["credit_note_id"] == "CN-1"
    assert body["amount"] == "200.00"
    assert body["released"] == []
    assert body["invoice"]["credited"] == "200.00"
    assert body["invoice"]["open_amount"] == "800.00"
    assert body["invoice"]["status"] == "open"
    assert [e["type"] for e in body["events"]] == ["CreditNoteIssued"]
    summary = (await get(client, f"/v1/accounts/{account_id}"))["summary"]
    assert (summary["credited"], summary["balance"]) == ("200.00", "800.00")


async def test_credit_note_on_a_paid_invoice_releases_the_payment_to_credit(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "1000.00")
    await pay(client, account_id, "PAY-1", "1000.00")
    body = await post(
        client,
        _path(account_id, "credit-notes"),
        {
            "credit_note_id": "CN-1",
            "invoice_id": "INV-1",
            "amount": "300.00",
            "reason": "member left",
            "issued_on": "2026-01-20",
        },
    )
    assert body["released"] == [{"payment_id": "PAY-1", "invoice_id": "INV-1", "amount": "300.00"}]
    inv = body["invoice"]
    assert (inv["credited"], inv["paid"], inv["open_amount"], inv["status"]) == (
        "300.00",
        "700.00",
        "0.00",
        "paid",
    )
    assert body["account_unapplied"] == "300.00"
    b = await balance(client, account_id, as_of="2026-01-20")
    assert (b["balance"], b["open"], b["unapplied"]) == ("-300.00", "0.00", "300.00")
    # the released money is ordinary credit: it can be refunded
    await post(
        client,
        _path(account_id, "refunds"),
        {
            "refund_id": "REF-1",
            "amount": "300.00",
            "reason": "credit note paid out",
            "refunded_on": "2026-01-21",
        },
    )
    assert (await balance(client, account_id, as_of="2026-01-21"))["balance"] == "0.00"


async def test_credit_note_above_the_invoice_is_refused(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    async with unchanged(client, account_id):
        r = await client.post(
            _path(account_id, "credit-notes"),
            json={
                "credit_note_id": "CN-1",
                "invoice_id": "INV-1",
                "amount": "100.01",
                "reason": "x",
            },
        )
        assert_problem(r, 422, field="amount", rule="exceeds-open-amount")
        r = await client.post(
            _path(account_id, "credit-notes"),
            json={"credit_note_id": "CN-2", "invoice_id": "INV-X", "amount": "1.00", "reason": "x"},
        )
        assert_problem(r, 422, field="invoice_id", rule="unknown-invoice")


# -- adjustments and debit notes -----------------------------------------------------


async def test_positive_and_negative_adjustments_on_an_invoice(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "1000.00")
    up = await post(
        client,
        _path(account_id, "adjustments"),
        {
            "adjustment_id": "ADJ-1",
            "invoice_id": "INV-1",
            "amount": "50.25",
            "reason": "late member added",
            "effective_on": "2026-01-05",
        },
    )
    assert up["amount"] == "50.25"
    assert (up["invoice"]["adjusted"], up["invoice"]["open_amount"]) == ("50.25", "1050.25")
    down = await post(
        client,
        _path(account_id, "adjustments"),
        {
            "adjustment_id": "ADJ-2",
            "invoice_id": "INV-1",
            "amount": "-100.25",
            "reason": "rate correction",
            "effective_on": "2026-01-06",
        },
    )
    assert down["amount"] == "-100.25"
    assert (down["invoice"]["adjusted"], down["invoice"]["open_amount"]) == ("-50.00", "950.00")
    assert (await balance(client, account_id, as_of="2026-01-06"))["balance"] == "950.00"
    assert (await balance(client, account_id, as_of="2026-01-05"))["balance"] == "1050.25"


async def test_negative_adjustment_on_a_paid_invoice_releases_to_credit(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    await pay(client, account_id, "PAY-1", "100.00")
    down = await post(
        client,
        _path(account_id, "adjustments"),
        {
            "adjustment_id": "ADJ-1",
            "invoice_id": "INV-1",
            "amount": "-40.00",
            "reason": "discount",
            "effective_on": "2026-01-12",
        },
    )
    assert down["released"] == [{"payment_id": "PAY-1", "invoice_id": "INV-1", "amount": "40.00"}]
    assert down["account_unapplied"] == "40.00"
    assert (await balance(client, account_id, as_of="2026-01-12"))["balance"] == "-40.00"


async def test_debit_note_is_an_open_item_of_its_own(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    body = await post(
        client,
        _path(account_id, "adjustments"),
        {
            "adjustment_id": "DN-1",
            "amount": "35.00",
            "reason": "dunning fee",
            "effective_on": "2026-02-01",
        },
    )
    assert body["invoice_id"] is None
    assert body["invoice"]["invoice_id"] == "DN-1"
    assert body["invoice"]["kind"] == "debit_note"
    assert body["invoice"]["due_date"] == "2026-02-01"
    assert body["invoice"]["open_amount"] == "35.00"
    items = await invoices(client, account_id, status="open")
    assert items["DN-1"]["amount"] == "35.00"
    # a payment settles it like any invoice
    await pay(client, account_id, "PAY-1", "35.00", on="2026-02-02")
    assert (await invoices(client, account_id))["DN-1"]["status"] == "paid"
    assert (await get(client, f"/v1/accounts/{account_id}"))["summary"]["invoiced"] == "35.00"


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"amount": "0.00", "invoice_id": "INV-1"}, "amount", "invalid-amount"),
        ({"amount": "-10.00"}, "invoice_id", "invalid-amount"),  # a credit needs an invoice
        ({"amount": "-100.01", "invoice_id": "INV-1"}, "amount", "exceeds-open-amount"),
        ({"amount": "1.001", "invoice_id": "INV-1"}, "amount", "invalid-amount"),
        ({"amount": 10, "invoice_id": "INV-1"}, "amount", "validation"),
        ({"amount": "5.00", "invoice_id": "INV-404"}, "invoice_id", "unknown-invoice"),
        ({"amount": "5.00", "reason": ""}, "reason", "validation"),
    ],
)
async def test_bad_adjustment_is_refused_and_writes_nothing(
    client: httpx.AsyncClient, account_id: str, body: dict[str, Any], field: str, rule: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    full = {"adjustment_id": "ADJ-1", "reason": "correction", **body}
    async with unchanged(client, account_id):
        r = await client.post(_path(account_id, "adjustments"), json=full)
        assert_problem(r, 422, field=field, rule=rule)


async def test_debit_note_id_may_not_reuse_an_invoice_id(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    async with unchanged(client, account_id):
        r = await client.post(
            _path(account_id, "adjustments"),
            json={"adjustment_id": "INV-1", "amount": "5.00", "reason": "fee"},
        )
        assert_problem(r, 422, field="adjustment_id", rule="duplicate-id")


# -- write-offs and recovery ---------------------------------------------------------


async def test_full_write_off_then_recovery(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "500.00")
    await pay(client, account_id, "PAY-1", "100.00")
    off = await post(
        client,
        _path(account_id, "write-offs"),
        {
            "write_off_id": "WO-1",
            "invoice_id": "INV-1",
            "reason": "insolvent",
            "written_off_on": "2026-06-30",
        },
    )
    assert off["amount"] == "400.00"  # no amount: all that is open
    inv = off["invoice"]
    assert (inv["written_off"], inv["open_amount"], inv["status"]) == (
        "400.00",
        "0.00",
        "written_off",
    )
    assert (await balance(client, account_id, as_of="2026-06-30"))["balance"] == "0.00"
    assert (await get(client, f"/v1/accounts/{account_id}"))["summary"]["written_off"] == "400.00"

    back = await post(
        client,
        _path(account_id, "invoices/INV-1/write-off-recovery"),
        {
            "recovery_id": "REC-1",
            "amount": "150.00",
            "reason": "liquidator paid",
            "recovered_on": "2026-08-01",
        },
    )
    inv = back["invoice"]
    assert (inv["written_off"], inv["open_amount"], inv["status"]) == ("250.00", "150.00", "open")
    assert (await balance(client, account_id, as_of="2026-08-01"))["balance"] == "150.00"
    await pay(client, account_id, "PAY-2", "150.00", on="2026-08-02")
    inv = (await invoices(client, account_id))["INV-1"]
    assert (inv["paid"], inv["open_amount"], inv["status"]) == ("250.00", "0.00", "written_off")
    summary = (await get(client, f"/v1/accounts/{account_id}"))["summary"]
    assert (summary["written_off"], summary["balance"]) == ("250.00", "0.00")


async def test_partial_write_off_leaves_the_rest_open(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "500.00")
    off = await post(
        client,
        _path(account_id, "write-offs"),
        {
            "write_off_id": "WO-1",
            "invoice_id": "INV-1",
            "amount": "120.50",
            "reason": "small balance",
            "written_off_on": "2026-03-01",
        },
    )
    assert (off["invoice"]["open_amount"], off["invoice"]["status"]) == ("379.50", "open")
    assert (await balance(client, account_id, as_of="2026-03-01"))["balance"] == "379.50"
    assert (await balance(client, account_id, as_of="2026-02-28"))["balance"] == "500.00"


async def test_bad_write_offs_and_recoveries_are_refused(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    await invoice(client, account_id, "INV-2", "50.00")
    await pay(
        client,
        account_id,
        "PAY-1",
        "50.00",
        allocations=[{"invoice_id": "INV-2", "amount": "50.00"}],
    )
    async with unchanged(client, account_id):
        r = await client.post(
            _path(account_id, "write-offs"),
            json={"write_off_id": "WO-1", "invoice_id": "INV-1", "amount": "100.01", "reason": "x"},
        )
        assert_problem(r, 422, field="amount", rule="exceeds-open-amount")
        r = await client.post(
            _path(account_id, "write-offs"),
            json={"write_off_id": "WO-2", "invoice_id": "INV-2", "reason": "x"},
        )
        assert_problem(r, 422, field="invoice_id", rule="exceeds-open-amount")  # all paid
        r = await client.post(
            _path(account_id, "invoices/INV-1/write-off-recovery"),
            json={"recovery_id": "REC-1", "amount": "1.00", "reason": "x"},
        )
        assert_problem(r, 422, field="amount", rule="exceeds-open-amount")  # none written off
        r = await client.post(
            _path(account_id, "write-offs"),
            json={"write_off_id": "WO-3", "invoice_id": "INV-1", "amount": "-1.00", "reason": "x"},
        )
        assert_problem(r, 422, field="amount", rule="invalid-amount")


# -- disputes ------------------------------------------------------------------------


async def test_dispute_flags_the_invoice_until_resolved(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "300.00", due="2026-01-31")
    await invoice(client, account_id, "INV-2", "200.00", due="2026-02-28")
    opened = await post(
        client,
        _path(account_id, "invoices/INV-1/dispute"),
        {"reason": "member count wrong", "disputed_on": "2026-02-01"},
    )
    assert opened["invoice"]["disputed"] is True
    assert opened["invoice"]["dispute_reason"] == "member count wrong"
    assert [e["type"] for e in opened["events"]] == ["InvoiceDisputed"]

    items = await invoices(client, account_id, status="open")
    assert (items["INV-1"]["disputed"], items["INV-2"]["disputed"]) == (True, False)
    # still receivable: the balance keeps it and shows it apart
    b = await balance(client, account_id, as_of="2026-02-01")
    assert (b["balance"], b["disputed"]) == ("500.00", "300.00")
    # a payment with no allocations leaves the disputed invoice alone
    paid = await pay(client, account_id, "PAY-1", "250.00", on="2026-02-02")
    assert paid["allocations"] == [{"invoice_id": "INV-2", "amount": "200.00"}]
    assert paid["unapplied"] == "50.00"

    async with unchanged(client, account_id):
        r = await client.post(_path(account_id, "invoices/INV-1/dispute"), json={"reason": "x"})
        assert_problem(r, 422, field="invoice_id", rule="dispute-state")

    resolved = await post(
        client,
        _path(account_id, "invoices/INV-1/dispute/resolve"),
        {"resolution": "count confirmed", "resolved_on": "2026-02-10"},
    )
    assert (resolved["invoice"]["disputed"], resolved["invoice"]["dispute_reason"]) == (False, None)
    assert (await invoices(client, account_id))["INV-1"]["disputed"] is False
    assert (await balance(client, account_id, as_of="2026-02-10"))["disputed"] == "0.00"
    # as of a day inside the dispute, it was disputed
    assert (await balance(client, account_id, as_of="2026-02-05"))["disputed"] == "300.00"

    async with unchanged(client, account_id):
        r = await client.post(
            _path(account_id, "invoices/INV-1/dispute/resolve"), json={"resolution": "x"}
        )
        assert_problem(r, 422, field="invoice_id", rule="dispute-state")
        r = await client.post(_path(account_id, "invoices/INV-9/dispute"), json={"reason": "x"})
        assert_problem(r, 422, field="invoice_id", rule="unknown-invoice")


async def test_dispute_retried_with_an_idempotency_key_replays(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "300.00")
    path = _path(account_id, "invoices/INV-1/dispute")
    body = {"reason": "wrong rate", "disputed_on": "2026-02-01"}
    first = await client.post(path, json=body, headers={"Idempotency-Key": "disp-1"})
    assert first.status_code == 201, first.text
    async with unchanged(client, account_id):
        again = await client.post(path, json=body, headers={"Idempotency-Key": "disp-1"})
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"

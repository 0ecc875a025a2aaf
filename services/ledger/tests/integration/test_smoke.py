from __future__ import annotations

import httpx

from ledger.adapters.http import responses as r

from .conftest import invoice, open_account


async def test_open_invoice_pay_balance(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "1250.00")
    r = await client.post(
        f"/v1/accounts/{account_id}/payments",
        json={
            "payment_id": "PAY-1",
            "amount": "1000.00",
            "received_on": "2026-01-10",
            "method": "bank_transfer",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["allocations"] == [{"invoice_id": "INV-1", "amount": "1000.00"}]
    r = await client.get(f"/v1/accounts/{account_id}/balance", params={"as_of": "2026-02-15"})
    assert r.status_code == 200, r.text
    assert r.json()["balance"] == "250.00"
    assert r.json()["overdue"] == "250.00"


async def test_a_retry_gets_the_same_bytes(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    body = {
        "invoice_id": "INV-1",
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "lines": [{"description": "Premium", "amount": "99.95", "policy_id": "POL-1"}],
    }
    first = await client.post(f"/v1/accounts/{account_id}/invoices", json=body)
    again = await client.post(f"/v1/accounts/{account_id}/invoices", json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content


async def test_a_credit_note_releases_the_latest_payment_first(
    client: httpx.AsyncClient, account_id: str
) -> None:
    """The order survives storage: ids chosen so a key-sorted mapping would get it wrong."""
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00")
    for payment_id, amount, day in [
        ("PAY-OLDER-LONG-ID", "60.00", "2026-01-05"),
        ("P-NEW", "40.00", "2026-01-09"),
    ]:
        r = await client.post(
            f"/v1/accounts/{account_id}/payments",
            json={"payment_id": payment_id, "amount": amount, "received_on": day, "method": "bank"},
        )
        assert r.status_code == 201, r.text
    r = await client.post(
        f"/v1/accounts/{account_id}/credit-notes",
        json={
            "credit_note_id": "CN-1",
            "invoice_id": "INV-1",
            "amount": "50.00",
            "reason": "cover cancelled",
            "issued_on": "2026-01-20",
        },
    )
    assert r.status_code == 201, r.text
    assert [(s["payment_id"], s["amount"]) for s in r.json()["released"]] == [
        ("P-NEW", "40.00"),
        ("PAY-OLDER-LONG-ID", "10.00"),
    ]


async def test_answers_match_the_documented_models(
    client: httpx.AsyncClient, account_id: str
) -> None:
    opened = await open_account(client, account_id)
    r.AccountOpenedOut.model_validate(opened)
    r.InvoiceIssuedOut.model_validate(await invoice(client, account_id, "INV-1", "80.00"))
    paid = await client.post(
        f"/v1/accounts/{account_id}/payments",
        json={
            "payment_id": "P-1",
            "amount": "100.00",
            "received_on": "2026-01-03",
            "method": "card",
        },
    )
    r.PaymentReceivedOut.model_validate(paid.json())
    assert paid.json()["unapplied"] == "20.00"


async def test_invoices_come_in_pages(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    for n in range(5):
        await invoice(client, account_id, f"INV-{n}", "10.00", due=f"2026-02-0{n + 1}")
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = (
            await client.get(
                f"/v1/accounts/{account_id}/invoices", params={"limit": 2, "offset": offset}
            )
        ).json()
        seen += [i["invoice_id"] for i in page["invoices"]]
        offset = page["next_offset"]
    assert seen == [f"INV-{n}" for n in range(5)]


async def test_history_as_known_at_a_time(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "10.00")
    then = (await client.get(f"/v1/accounts/{account_id}/events")).json()["events"][-1]
    r = await client.post(
        f"/v1/accounts/{account_id}/payments",
        json={
            "payment_id": "P-1",
            "amount": "10.00",
            "received_on": "2026-01-02",
            "method": "card",
        },
    )
    assert r.status_code == 201
    known = await client.get(
        f"/v1/accounts/{account_id}/events", params={"known_at": then["recorded_at"]}
    )
    assert [e["type"] for e in known.json()["events"]] == ["AccountOpened", "InvoiceIssued"]
    everything = await client.get(f"/v1/accounts/{account_id}/events")
    assert len(everything.json()["events"]) == 4


async def test_the_same_amount_written_differently_is_the_same_command(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    body = {"payment_id": "P-1", "received_on": "2026-01-02", "method": "card"}
    first = await client.post(
        f"/v1/accounts/{account_id}/payments", json={**body, "amount": "50000.00"}
    )
    again = await client.post(
        f"/v1/accounts/{account_id}/payments", json={**body, "amount": "50000"}
    )
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    other = await client.post(
        f"/v1/accounts/{account_id}/payments", json={**body, "amount": "50000.01"}
    )
    assert other.status_code == 409


async def test_dates_outside_any_business_calendar_are_refused(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    r = await client.post(
        f"/v1/accounts/{account_id}/payments",
        json={"payment_id": "P-1", "amount": "1.00", "received_on": "9999-12-31", "method": "card"},
    )
    assert r.status_code == 422
    assert r.json()["field"] == "received_on"
    history = (await client.get(f"/v1/accounts/{account_id}/events")).json()["events"]
    assert len(history) == 1


async def test_a_bad_id_is_explained_not_shown_as_a_regex(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/v1/accounts",
        json={
            "account_id": "has space",
            "name": "X",
            "currency": "sgd",
            "jurisdiction": "SG",
            "credit_limit": "0.00",
            "payment_terms_days": 30,
        },
    )
    assert r.status_code == 422
    messages = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert (
        messages["account_id"]
        == "'has space' is not an id of letters, digits and . _ : - (at most 64)"
    )
    assert messages["currency"] == "'sgd' is not an ISO 4217 currency code such as SGD"

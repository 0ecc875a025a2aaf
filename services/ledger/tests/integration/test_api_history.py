"""HTTP contract: an account's history and the global event feed."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import httpx

from servicekit.auth import POSTER

from .api_support import assert_problem, feed_end, get, pay_body, post, read_feed, unchanged
from .conftest import ClientAs, invoice, open_account


async def test_account_history_carries_dates_actor_and_correlation(
    client: httpx.AsyncClient, client_as: ClientAs, account_id: str
) -> None:
    correlation = str(uuid4())
    causation = str(uuid4())
    await open_account(client, account_id)
    await invoice(client, account_id, "INV-1", "100.00", issue="2026-01-01")
    await post(
        client_as(POSTER, subject="gateway:stripe"),
        f"/v1/accounts/{account_id}/payments",
        pay_body("PAY-1", "40.00", on="2026-01-12"),
        headers={"X-Correlation-Id": correlation, "X-Causation-Id": causation},
    )

    history = await get(client, f"/v1/accounts/{account_id}/events")
    assert history["account_id"] == account_id
    events = history["events"]
    assert [(e["version"], e["type"]) for e in events] == [
        (1, "AccountOpened"),
        (2, "InvoiceIssued"),
        (3, "PaymentReceived"),
        (4, "PaymentAllocated"),
    ]
    positions = [e["position"] for e in events]
    assert positions == sorted(positions)
    assert len(set(positions)) == 4
    assert [e["effective_date"] for e in events] == [
        "2026-01-01",
        "2026-01-01",
        "2026-01-12",
        "2026-01-12",
    ]
    recorded = [datetime.fromisoformat(e["recorded_at"]) for e in events]
    assert all(t.tzinfo is not None for t in recorded)
    assert recorded == sorted(recorded)
    assert all(e["account_id"] == account_id for e in events)
    assert len({e["event_id"] for e in events}) == 4
    assert all(e["schema_version"] >= 1 for e in events)

    # the headers of the request land on the events it wrote, and only on those
    # the actor is the authenticated subject of each request
    assert [e["actor"] for e in events] == [
        "admin@test",
        "admin@test",
        "gateway:stripe",
        "gateway:stripe",
    ]
    assert [e["correlation_id"] for e in events] == [None, None, correlation, correlation]
    assert [e["causation_id"] for e in events] == [None, None, causation, causation]

    assert events[2]["data"] == {
        "payment_id": "PAY-1",
        "currency": "SGD",
        "amount": "40.00",
        "received_on": "2026-01-12",
        "method": "bank_transfer",
        "reference": None,
        "allocation_order": "oldest_due_first",  # it named no invoices
        "policy_id": None,
    }
    assert events[3]["data"] == {
        "payment_id": "PAY-1",
        "invoice_id": "INV-1",
        "currency": "SGD",
        "amount": "40.00",
        "allocated_on": "2026-01-12",
    }


async def test_account_history_pages_by_version(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    for n in range(1, 5):
        await invoice(client, account_id, f"INV-{n}", f"{n}.00")
    page = await get(client, f"/v1/accounts/{account_id}/events", after_version=2, limit=2)
    assert [e["version"] for e in page["events"]] == [3, 4]
    assert (page["next_after_version"], page["more"]) == (4, True)
    rest = await get(
        client, f"/v1/accounts/{account_id}/events", after_version=page["next_after_version"]
    )
    assert [e["version"] for e in rest["events"]] == [5]
    assert (rest["next_after_version"], rest["more"]) == (5, False)
    done = await get(client, f"/v1/accounts/{account_id}/events", after_version=5)
    assert (done["events"], done["next_after_version"], done["more"]) == ([], 5, False)


async def test_bad_correlation_id_is_refused(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, account_id)
    invoices = f"/v1/accounts/{account_id}/invoices"
    body = {
        "invoice_id": "INV-1",
        "issue_date": "2026-01-01",
        "due_date": "2026-01-31",
        "lines": [{"description": "p", "amount": "1.00"}],
    }
    async with unchanged(client, account_id):
        r = await client.post(invoices, json=body, headers={"X-Correlation-Id": "not-a-uuid"})
        assert_problem(r, 422, field="X-Correlation-Id")
        r = await client.post(invoices, json=body, headers={"X-Actor": "a" * 129})
        assert_problem(r, 422, field="X-Actor", rule="validation")


async def test_global_feed_pages_in_position_order(
    client: httpx.AsyncClient, account_id: str
) -> None:
    start, held_before = await feed_end(client)  # earlier events may still be held back

    other = f"{account_id}-B"
    await open_account(client, account_id)
    await open_account(client, other)
    await invoice(client, account_id, "INV-1", "10.00")
    await invoice(client, other, "INV-1", "20.00")

    every = await read_feed(client, start, limit=2)
    seen = [e for e in every if e["account_id"] in (account_id, other)]
    assert len(every) == len(seen) + held_before  # nothing else was written meanwhile

    positions = [e["position"] for e in every]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)
    assert all(p > start for p in positions)
    assert [(e["account_id"], e["type"]) for e in seen] == [
        (account_id, "AccountOpened"),
        (other, "AccountOpened"),
        (account_id, "InvoiceIssued"),
        (other, "InvoiceIssued"),
    ]
    # the feed and the account history show the same events
    history = await get(client, f"/v1/accounts/{account_id}/events")
    assert [e for e in seen if e["account_id"] == account_id] == history["events"]


async def test_feed_refuses_bad_paging(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/events", params={"limit": 0}), 422, field="limit")
    assert_problem(await client.get("/v1/events", params={"after": -1}), 422, field="after")
    assert_problem(await client.get("/v1/events", params={"after": "x"}), 422, field="after")

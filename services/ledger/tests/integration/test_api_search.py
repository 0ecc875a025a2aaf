"""Search and lists across the ledger: accounts, invoices, payments (cursor-paged)."""

from __future__ import annotations

from typing import Any

import httpx

from .api_support import assert_problem, get, pay
from .conftest import invoice, open_account


async def _all_pages(client: httpx.AsyncClient, path: str, key: str, **params: Any) -> list[Any]:
    """Follow next_cursor to the end; every page holds at most ``limit`` rows."""
    out: list[Any] = []
    cursor = None
    while True:
        body = await get(client, path, cursor=cursor, **params)
        assert len(body[key]) <= params.get("limit", 50)
        out.extend(body[key])
        cursor = body["next_cursor"]
        if cursor is None:
            return out


async def test_accounts_by_name_any_case_paged_in_name_order(
    client: httpx.AsyncClient, account_id: str
) -> None:
    tag = account_id.replace("-", "")[-12:]
    names = [f"Zeta {tag} Ltd", f"Alpha {tag} pte", f"Mid {tag.upper()} Co", "Unrelated"]
    for n, name in enumerate(names):
        await open_account(client, f"{account_id}-{n}", name=name)

    found = await _all_pages(client, "/v1/accounts", "accounts", q=tag.lower(), limit=2)

    assert [a["name"] for a in found] == sorted(names[:3])
    assert all(a["summary"]["balance"] == "0.00" for a in found)


async def test_account_filters_combine(client: httpx.AsyncClient, account_id: str) -> None:
    await open_account(client, f"{account_id}-a", broker_id=f"B-{account_id}", jurisdiction="HK")
    await open_account(client, f"{account_id}-b", broker_id=f"B-{account_id}", currency="HKD")
    await open_account(client, f"{account_id}-c", jurisdiction="HK")

    by_broker = await get(client, "/v1/accounts", broker_id=f"B-{account_id}")
    hk_of_broker = await get(client, "/v1/accounts", broker_id=f"B-{account_id}", jurisdiction="HK")
    hkd = await get(client, "/v1/accounts", q=account_id, currency="HKD", status="active")

    assert {a["account_id"] for a in by_broker["accounts"]} == {
        f"{account_id}-a",
        f"{account_id}-b",
    }
    assert [a["account_id"] for a in hk_of_broker["accounts"]] == [f"{account_id}-a"]
    assert [a["account_id"] for a in hkd["accounts"]] == [f"{account_id}-b"]


async def test_wildcards_in_the_search_text_are_literal(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id, name=f"100% Cover {account_id}")
    await open_account(client, f"{account_id}-x", name=f"1000 Cover {account_id}")

    found = await get(client, "/v1/accounts", q="100%")

    assert [a["account_id"] for a in found["accounts"]] == [account_id]


async def test_a_broken_cursor_is_a_problem_naming_it(client: httpx.AsyncClient) -> None:
    for path in ("/v1/accounts", "/v1/invoices", "/v1/payments"):
        for bad in ("not-a-cursor", "WyJhIl0", "WyJ4IiwiYSIsImIiXQ"):  # ["a"], ["x","a","b"]
            r = await client.get(path, params={"cursor": bad})
            assert_problem(r, 422, field="cursor", rule="validation")


async def test_bad_filters_are_problems(client: httpx.AsyncClient) -> None:
    cases = [
        ("/v1/accounts", {"currency": "sgd"}, "currency"),
        ("/v1/accounts", {"limit": "0"}, "limit"),
        ("/v1/accounts", {"limit": "501"}, "limit"),
        ("/v1/accounts", {"q": ""}, "q"),
        ("/v1/invoices", {"status": "lost"}, "status"),
        ("/v1/invoices", {"due_from": "2026-02-30"}, "due_from"),
        ("/v1/payments", {"received_to": "yesterday"}, "received_to"),
    ]
    for path, params, field in cases:
        assert_problem(await client.get(path, params=params), 422, field=field)
    r = await client.get("/v1/invoices", params={"due_from": "2026-03-01", "due_to": "2026-02-01"})
    assert_problem(r, 422, field="due_to", rule="invalid-dates")


async def test_invoices_by_policy_status_and_due_range(
    client: httpx.AsyncClient, account_id: str
) -> None:
    policy = f"POL-{account_id}"[:64]
    await open_account(client, account_id)
    await invoice(client, account_id, "I-1", "100.00", due="2026-01-31", policy_id=policy)
    await invoice(client, account_id, "I-2", "200.00", due="2026-02-28", policy_id=policy)
    await invoice(client, account_id, "I-3", "300.00", due="2026-03-31", policy_id=policy)
    await invoice(client, account_id, "I-4", "400.00", due="2026-02-28")
    await pay(client, account_id, "P-1", "100.00", allocations=[{"invoice_id": "I-1"}])

    of_policy = await _all_pages(client, "/v1/invoices", "invoices", policy_id=policy, limit=2)
    open_of_policy = await get(client, "/v1/invoices", policy_id=policy, status="open")
    paid = await get(client, "/v1/invoices", account_id=account_id, status="paid")
    february = await get(
        client, "/v1/invoices", account_id=account_id, due_from="2026-02-01", due_to="2026-02-28"
    )

    assert [i["invoice_id"] for i in of_policy] == ["I-1", "I-2", "I-3"]
    assert of_policy[0] == {**of_policy[0], "account_id": account_id, "open_amount": "0.00"}
    assert [i["invoice_id"] for i in open_of_policy["invoices"]] == ["I-2", "I-3"]
    assert [i["invoice_id"] for i in paid["invoices"]] == ["I-1"]
    assert [i["invoice_id"] for i in february["invoices"]] == ["I-2", "I-4"]


async def test_payments_by_reference_method_and_date(
    client: httpx.AsyncClient, account_id: str
) -> None:
    ref = f"TT-{account_id}"[-40:]
    await open_account(client, account_id)
    await invoice(client, account_id, "I-1", "500.00")
    await pay(client, account_id, "P-1", "100.00", on="2026-01-05", reference=f"{ref}-1")
    await pay(client, account_id, "P-2", "100.00", on="2026-01-20", reference=f"{ref}-2")
    await pay(
        client, account_id, "P-3", "100.00", on="2026-02-01", reference="other", method="card"
    )

    by_ref = await _all_pages(client, "/v1/payments", "payments", reference=ref.lower(), limit=1)
    by_card = await get(client, "/v1/payments", account_id=account_id, method="card")
    in_january = await get(
        client,
        "/v1/payments",
        account_id=account_id,
        received_from="2026-01-06",
        received_to="2026-01-31",
    )

    assert [p["payment_id"] for p in by_ref] == ["P-1", "P-2"]
    assert by_ref[0]["allocations"] == [{"invoice_id": "I-1", "amount": "100.00"}]
    assert by_ref[0]["account_id"] == account_id
    assert by_ref[0]["amount"] == "100.00"
    assert [p["payment_id"] for p in by_card["payments"]] == ["P-3"]
    assert [p["payment_id"] for p in in_january["payments"]] == ["P-2"]

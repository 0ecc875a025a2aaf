"""As of any date, open items, balance, aging and the journal agree, and no open item is
below zero: a back-dated payment allocated against an increase that takes effect later
has, on the days between, paid more than the invoice had billed -- that excess is
unapplied credit then, not a negative open amount."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from ledger.adapters.postgres.queries import BUCKETS

from .api_support import get, pay, post
from .conftest import invoice, jurisdiction_code, open_account


async def _overpaid_until_the_increase(client: httpx.AsyncClient, account_id: str) -> str:
    """INV-1 100.00 (1 Jan), raised by 50.00 from 1 Mar; then PAY-1 150.00 received
    1 Feb, recorded after the increase and allocated to INV-1 in full. The account's
    jurisdiction (its own) is returned."""
    jurisdiction = jurisdiction_code()
    await open_account(client, account_id, jurisdiction=jurisdiction)
    await invoice(client, account_id, "INV-1", "100.00", issue="2026-01-01", due="2026-01-31")
    await post(
        client,
        f"/v1/accounts/{account_id}/adjustments",
        {
            "adjustment_id": "ADJ-1",
            "invoice_id": "INV-1",
            "amount": "50.00",
            "reason": "member added",
            "effective_on": "2026-03-01",
        },
    )
    await pay(
        client,
        account_id,
        "PAY-1",
        "150.00",
        on="2026-02-01",
        allocations=[{"invoice_id": "INV-1", "amount": "150.00"}],
    )
    return jurisdiction


async def test_a_back_dated_overpayment_is_unapplied_credit_until_the_increase(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await _overpaid_until_the_increase(client, account_id)
    path = f"/v1/accounts/{account_id}/balance"
    between = await get(client, path, as_of="2026-02-15")
    assert (between["open"], between["unapplied"], between["balance"]) == (
        "0.00",
        "50.00",
        "-50.00",
    )
    after = await get(client, path, as_of="2026-03-01")
    assert (after["open"], after["unapplied"], after["balance"]) == ("0.00", "0.00", "0.00")


async def test_balance_aging_and_journal_agree_on_every_day(
    client: httpx.AsyncClient, account_id: str
) -> None:
    jurisdiction = await _overpaid_until_the_increase(client, account_id)
    day = date(2025, 12, 30)
    while day <= date(2026, 3, 3):
        on = day.isoformat()
        b = await get(client, f"/v1/accounts/{account_id}/balance", as_of=on)
        aging = await get(client, "/v1/reports/aging", as_of=on, jurisdiction=jurisdiction)
        journal = await get(
            client, f"/v1/accounts/{account_id}/statement", **{"from": "2025-12-01", "to": on}
        )
        assert not b["open"].startswith("-"), (on, b)
        assert not b["unapplied"].startswith("-"), (on, b)
        rows = [a for a in aging["accounts"] if a["account_id"] == account_id]
        if rows:
            row = rows[0]
            assert (row["total"], row["unapplied"], row["net"]) == (
                b["open"],
                b["unapplied"],
                b["balance"],
            ), on
            amounts = [row[k] for k in (*BUCKETS, "disputed", "total", "unapplied")]
            assert not [a for a in amounts if a.startswith("-")], (on, row)
        else:
            assert b["balance"] == "0.00", on
        assert journal["closing_balance"] == b["balance"], on
        day += timedelta(days=1)


async def _all_lines(client: httpx.AsyncClient, account_id: str, limit: int) -> list[tuple]:
    path = f"/v1/accounts/{account_id}/journal"
    seen: list[tuple] = []
    params: dict[str, object] = {"limit": limit}
    while True:
        page = await get(client, path, **params)
        seen += [(line["position"], line["line_no"]) for line in page["lines"]]
        if not page["more"]:
            return seen
        params = {
            "limit": limit,
            "after": page["next_after"],
            "after_line": page["next_after_line"],
        }


async def test_journal_pages_of_any_size_return_every_line_once(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await open_account(client, account_id)
    for n in range(1, 4):
        await invoice(client, account_id, f"INV-{n}", "10.00")
    await pay(client, account_id, "PAY-1", "35.00")  # split over three invoices and credit
    everything = await get(client, f"/v1/accounts/{account_id}/journal", limit=5000)
    expected = [(line["position"], line["line_no"]) for line in everything["lines"]]
    by_event: dict[int, int] = {}
    for position, _ in expected:
        by_event[position] = by_event.get(position, 0) + 1
    assert max(by_event.values()) >= 2  # events span more lines than the smallest page
    for limit in range(1, len(expected) + 2):
        assert await _all_lines(client, account_id, limit) == expected, limit

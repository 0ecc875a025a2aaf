"""Helpers of the HTTP contract tests: posting commands, problem bodies, "nothing written".

``unchanged(client, account_id)`` is the check behind DESIGN invariant 10 (bad input
writes nothing): it snapshots what a user can see of an account (the account with its
version and summary, every invoice, the whole history) and how many events the database
has committed after the feed's end, and asserts after the block that none of it moved.
The count is this database's own fact: the feed's head is not, as the horizon that holds
events back is the oldest transaction on the whole server.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

PROBLEM = "application/problem+json"

Json = dict[str, Any]


async def post(
    client: httpx.AsyncClient,
    path: str,
    body: Json,
    *,
    status: int = 201,
    headers: dict[str, str] | None = None,
) -> Json:
    """POST ``body`` and assert the status; return the JSON answer."""
    r = await client.post(path, json=body, headers=headers)
    assert r.status_code == status, r.text
    return r.json()


async def get(client: httpx.AsyncClient, path: str, *, expect: int = 200, **params: Any) -> Json:
    """GET with query ``params`` (None values left out) and assert the status."""
    r = await client.get(path, params={k: v for k, v in params.items() if v is not None})
    assert r.status_code == expect, r.text
    return r.json()


def pay_body(payment_id: str, amount: str, on: str = "2026-01-10", **extra: Any) -> Json:
    return {
        "payment_id": payment_id,
        "amount": amount,
        "received_on": on,
        "method": "bank_transfer",
        **extra,
    }


async def pay(
    client: httpx.AsyncClient,
    account_id: str,
    payment_id: str,
    amount: str,
    on: str = "2026-01-10",
    **extra: Any,
) -> Json:
    return await post(
        client, f"/v1/accounts/{account_id}/payments", pay_body(payment_id, amount, on, **extra)
    )


async def invoices(client: httpx.AsyncClient, account_id: str, status: str = "all") -> Json:
    """The account's invoices by id."""
    body = await get(client, f"/v1/accounts/{account_id}/invoices", status=status)
    return {i["invoice_id"]: i for i in body["invoices"]}


async def balance(client: httpx.AsyncClient, account_id: str, **params: Any) -> Json:
    return await get(client, f"/v1/accounts/{account_id}/balance", **params)


def assert_problem(
    r: httpx.Response, status: int, *, field: str | None = None, rule: str | None = None
) -> Json:
    """An RFC 9457 problem with ``status``, naming ``field`` and ``rule`` when given."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM), r.headers["content-type"]
    body: Json = r.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:receivables-ledger:problem:")
    assert body["title"]
    assert body["detail"]
    assert body["rule"], body
    if rule is not None:
        assert body["rule"] == rule, body
        assert body["type"].endswith(f":{rule}")
    if field is not None:
        assert body.get("field") == field, body
    return body


# The feed's head only moves forward, so each look resumes where the last one ended.
_FEED = {"head": 0}

HELD_BACK_SECONDS = 120
"""How long :func:`read_feed` waits for events the feed holds back. The horizon is the
server's oldest running transaction, in any database: another database's long transaction
holds this one's fresh events back until it ends."""


async def feed_end(client: httpx.AsyncClient) -> tuple[int, int]:
    """Where the feed ends now, and how many committed events follow that position (held
    back behind a transaction still running; ``behind`` counts them in this database only)."""
    after = _FEED["head"]
    while True:
        page = await get(client, "/v1/events", after=after, limit=5000)
        if not page["events"]:
            _FEED["head"] = after
            return after, page["behind"]
        after = page["next_after"]


async def read_feed(client: httpx.AsyncClient, after: int, *, limit: int = 5000) -> list[Json]:
    """Every event committed after ``after``, in feed order, pages of ``limit``: read until
    the feed lists nothing more and holds nothing back (waiting, up to a bound, for the
    transactions that hold events back to end)."""
    seen: list[Json] = []
    deadline = asyncio.get_running_loop().time() + HELD_BACK_SECONDS
    while True:
        page = await get(client, "/v1/events", after=after, limit=limit)
        assert len(page["events"]) <= limit
        if page["events"]:
            assert page["next_after"] == page["events"][-1]["position"]
            seen += page["events"]
            after = page["next_after"]
            continue
        assert page["next_after"] == after  # nothing new: ask again from the same place
        if page["behind"] == 0:
            return seen
        assert asyncio.get_running_loop().time() < deadline, f"{page['behind']} held back"
        await asyncio.sleep(0.1)


async def _committed_after(client: httpx.AsyncClient, position: int) -> int:
    """How many events this database has committed after ``position``: those the feed lists
    now plus those it holds back. Unlike the feed's head, this does not move when another
    database's transaction ends and releases events committed long before."""
    listed = 0
    while True:
        page = await get(client, "/v1/events", after=position, limit=5000)
        if not page["events"]:
            return listed + int(page["behind"])
        listed += len(page["events"])
        position = page["next_after"]


async def snapshot(client: httpx.AsyncClient, account_id: str, *, since: int = 0) -> Json:
    """What a user can see of an account, plus how many events the database has committed
    after position ``since``."""
    committed = await _committed_after(client, since)
    account = await client.get(f"/v1/accounts/{account_id}")
    if account.status_code == 422:  # not even a valid id: only the feed can tell
        return {"account": None, "feed": committed}
    if account.status_code == 404:
        events = await client.get(f"/v1/accounts/{account_id}/events")
        assert events.status_code == 404, events.text
        return {"account": None, "feed": committed}
    assert account.status_code == 200, account.text
    history = await get(client, f"/v1/accounts/{account_id}/events", limit=1000)
    return {
        "account": account.json(),
        "invoices": await invoices(client, account_id),
        "events": history["events"],
        "feed": committed,
    }


@asynccontextmanager
async def unchanged(client: httpx.AsyncClient, account_id: str) -> AsyncIterator[Json]:
    """Assert the block wrote nothing an API user could see (account, invoices, events)."""
    since, _ = await feed_end(client)
    before = await snapshot(client, account_id, since=since)
    yield before
    after = await snapshot(client, account_id, since=since)
    assert after == before

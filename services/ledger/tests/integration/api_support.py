"""Helpers of the HTTP contract tests: posting commands, problem bodies, "nothing written".

``unchanged(client, account_id)`` is the check behind DESIGN invariant 10 (bad input
writes nothing): it snapshots what a user can see of an account (the account with its
version and summary, every invoice, the whole history) and the head of the global feed,
and asserts after the block that none of it moved.
"""

from __future__ import annotations

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


async def _feed_head(client: httpx.AsyncClient) -> int:
    after = _FEED["head"]
    while True:
        page = await get(client, "/v1/events", after=after, limit=5000)
        if not page["events"]:
            _FEED["head"] = after
            return after
        after = page["next_after"]


async def snapshot(client: httpx.AsyncClient, account_id: str) -> Json:
    """What a user can see of an account, plus the head of the global feed."""
    account = await client.get(f"/v1/accounts/{account_id}")
    if account.status_code == 422:  # not even a valid id: only the feed can tell
        return {"account": None, "feed_head": await _feed_head(client)}
    if account.status_code == 404:
        events = await client.get(f"/v1/accounts/{account_id}/events")
        assert events.status_code == 404, events.text
        return {"account": None, "feed_head": await _feed_head(client)}
    assert account.status_code == 200, account.text
    history = await get(client, f"/v1/accounts/{account_id}/events", limit=1000)
    return {
        "account": account.json(),
        "invoices": await invoices(client, account_id),
        "events": history["events"],
        "feed_head": await _feed_head(client),
    }


@asynccontextmanager
async def unchanged(client: httpx.AsyncClient, account_id: str) -> AsyncIterator[Json]:
    """Assert the block wrote nothing an API user could see (account, invoices, events)."""
    before = await snapshot(client, account_id)
    yield before
    after = await snapshot(client, account_id)
    assert after == before

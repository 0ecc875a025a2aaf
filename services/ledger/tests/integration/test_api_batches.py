"""POST /v1/batches: many commands, each as its single route would run it, all-or-nothing
per account, idempotent across batches and single routes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from .api_support import PROBLEM, assert_problem, get, pay_body, snapshot

Json = dict[str, Any]


def _open(account_id: str, **extra: Any) -> Json:
    body = {
        "account_id": account_id,
        "name": "Acme Pte Ltd",
        "currency": "SGD",
        "jurisdiction": "SG",
        "credit_limit": "10000.00",
        "payment_terms_days": 30,
        "opened_on": "2026-01-01",
        **extra,
    }
    return {"op": "open_account", "body": body}


def _invoice(account_id: str, invoice_id: str, amount: str, due: str = "2026-01-31") -> Json:
    body = {
        "invoice_id": invoice_id,
        "issue_date": "2026-01-01",
        "due_date": due,
        "lines": [{"description": "Premium", "amount": amount}],
    }
    return {"op": "issue_invoice", "account_id": account_id, "body": body}


def _pay(account_id: str, payment_id: str, amount: str, **extra: Any) -> Json:
    body = pay_body(payment_id, amount, **extra)
    return {"op": "receive_payment", "account_id": account_id, "body": body}


async def _batch(client: httpx.AsyncClient, items: list[Json]) -> Json:
    r = await client.post("/v1/batches", json=items)
    assert r.status_code == 200, r.text
    out: Json = r.json()
    assert [x["index"] for x in out["results"]] == list(range(len(items)))
    return out


async def _account_state(client: httpx.AsyncClient, account_id: str) -> Json:
    """What a user sees of one account. The feed's count is left out: it moves with the
    batch's other accounts."""
    seen = await snapshot(client, account_id)
    del seen["feed"]
    return seen


def _statuses(out: Json) -> list[int]:
    return [x["status"] for x in out["results"]]


def _without_positions(body: Json) -> Json:
    return {k: v for k, v in body.items() if k not in ("events", "account_id")}


async def test_a_batch_answers_each_command_as_its_single_route(
    client: httpx.AsyncClient, account_id: str
) -> None:
    single, batched = f"{account_id}-S", f"{account_id}-B"
    steps = [
        ("", lambda a: _open(a)["body"]),
        ("/invoices", lambda a: _invoice(a, "INV-1", "100.00")["body"]),
        ("/invoices", lambda a: _invoice(a, "INV-2", "50.00", due="2026-02-28")["body"]),
        ("/payments", lambda a: pay_body("PAY-1", "120.00")),
        (
            "/adjustments",
            lambda a: {"adjustment_id": "ADJ-1", "amount": "7.50", "reason": "late fee"},
        ),
    ]
    answers = []
    for path, body in steps:
        url = "/v1/accounts" + (f"/{single}{path}" if path else "")
        r = await client.post(url, json=body(single))
        assert r.status_code == 201, r.text
        answers.append(r.json())
    ops = ["open_account", "issue_invoice", "issue_invoice", "receive_payment", "post_adjustment"]
    items = [
        {"op": op, "account_id": batched, "body": body(batched)}
        for op, (_, body) in zip(ops, steps, strict=True)
    ]
    out = await _batch(client, items)
    assert (out["written"], out["replayed"], out["failed"]) == (5, 0, 0)
    assert _statuses(out) == [201] * 5
    for got, want in zip(out["results"], answers, strict=True):
        assert _without_positions(got["body"]) == _without_positions(want)
        assert [e["type"] for e in got["body"]["events"]] == [e["type"] for e in want["events"]]
    a, b = await snapshot(client, single), await snapshot(client, batched)
    assert _without_positions(a["account"]) == _without_positions(b["account"])
    assert a["invoices"] == b["invoices"]
    verify = await get(client, "/v1/audit/verify")
    assert verify["ok"] is True, verify


async def test_a_retried_batch_replays_and_writes_nothing(
    client: httpx.AsyncClient, account_id: str
) -> None:
    items = [_open(account_id), _invoice(account_id, "INV-1", "100.00")]
    first = await _batch(client, items)
    assert first["written"] == 2
    before = await _account_state(client, account_id)
    again = await _batch(client, items)
    assert (again["written"], again["replayed"]) == (0, 2)
    assert [x["body"] for x in again["results"]] == [x["body"] for x in first["results"]]
    assert all(x["replayed"] for x in again["results"])
    # the single route knows the command too
    r = await client.post(f"/v1/accounts/{account_id}/invoices", json=items[1]["body"])
    assert r.status_code == 201
    assert r.headers["Idempotent-Replayed"] == "true"
    assert r.json() == first["results"][1]["body"]
    assert await _account_state(client, account_id) == before


async def test_one_failing_command_fails_its_account_only(
    client: httpx.AsyncClient, account_id: str
) -> None:
    good, bad = f"{account_id}-OK", f"{account_id}-KO"
    await _batch(client, [_open(good), _open(bad)])
    before = await _account_state(client, bad)
    out = await _batch(
        client,
        [
            _invoice(bad, "INV-1", "100.00"),
            _invoice(good, "INV-1", "100.00"),
            _pay(bad, "PAY-1", "10.00", allocations=[{"invoice_id": "NOPE"}]),
            _invoice(bad, "INV-2", "100.00"),
            _pay(good, "PAY-1", "40.00"),
        ],
    )
    assert await _account_state(client, bad) == before
    assert _statuses(out) == [424, 201, 422, 424, 201]
    assert out["results"][0]["problem"]["rule"] == "not-applied"
    assert "command 2" in out["results"][0]["problem"]["detail"]
    assert out["results"][2]["problem"]["rule"] == "unknown-invoice"
    assert (out["written"], out["failed"]) == (2, 3)
    assert out["results"][4]["body"]["allocations"] == [{"invoice_id": "INV-1", "amount": "40.00"}]


async def test_results_errors_answers_the_counts_and_only_the_items_not_run(
    client: httpx.AsyncClient, account_id: str
) -> None:
    good, bad = f"{account_id}-OK", f"{account_id}-KO"
    items = [
        _open(good),
        _open(bad),
        _invoice(good, "INV-1", "100.00"),
        _invoice(bad, "INV-1", "100.00"),
        _pay(bad, "PAY-1", "10.00", allocations=[{"invoice_id": "NOPE"}]),
    ]
    r = await client.post("/v1/batches?results=errors", json=items)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["written"], out["replayed"], out["failed"]) == (2, 0, 3)
    assert [(x["index"], x["status"]) for x in out["results"]] == [(1, 424), (3, 424), (4, 422)]
    assert out["results"][2]["problem"]["rule"] == "unknown-invoice"
    assert all("body" not in x for x in out["results"])
    # what was written is what the full answer reports: a retry replays it in full
    again = await _batch(client, items)
    assert _statuses(again) == [201, 424, 201, 424, 422]
    assert [x.get("replayed") for x in again["results"]] == [True, None, True, None, None]
    assert again["results"][2]["body"]["invoice_id"] == "INV-1"
    quiet = await client.post("/v1/batches?results=errors", json=items[:1])
    assert quiet.json() == {"written": 0, "replayed": 1, "failed": 0, "results": []}
    r = await client.post("/v1/batches?results=some", json=items)
    assert_problem(r, 422, field="results")


async def test_an_invalid_item_is_refused_with_its_field_and_fails_its_account(
    client: httpx.AsyncClient, account_id: str
) -> None:
    other = f"{account_id}-2"
    out = await _batch(
        client,
        [
            _open(account_id),
            _invoice(account_id, "INV-1", "12.345.6"),
            _open(other),
            {"op": "teleport", "account_id": f"{account_id}-3", "body": {}},
            {"op": "reverse_payment", "account_id": account_id, "body": {"reason": "x"}},
        ],
    )
    assert (await snapshot(client, account_id))["account"] is None
    assert _statuses(out) == [424, 422, 201, 422, 422]
    assert out["results"][1]["problem"]["field"] == "body.lines[0].amount"
    assert out["results"][3]["problem"]["field"] == "op"
    assert out["results"][4]["problem"]["field"] == "payment_id"
    assert out["results"][0]["problem"]["detail"].startswith("not written: command 1")


async def test_the_same_id_with_another_payload_in_one_batch_is_a_conflict(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await _batch(client, [_open(account_id)])
    before = await _account_state(client, account_id)
    out = await _batch(
        client,
        [_invoice(account_id, "INV-1", "100.00"), _invoice(account_id, "INV-1", "200.00")],
    )
    assert await _account_state(client, account_id) == before
    assert _statuses(out) == [424, 409]
    assert out["results"][1]["problem"]["rule"] == "idempotency-conflict"
    assert out["results"][1]["problem"]["field"] == "invoice_id"
    same = await _batch(
        client, [_invoice(account_id, "INV-1", "100.00"), _invoice(account_id, "INV-1", "100.00")]
    )
    assert _statuses(same) == [201, 201]
    assert [x["replayed"] for x in same["results"]] == [False, True]


async def test_ndjson_with_an_unreadable_line(client: httpx.AsyncClient, account_id: str) -> None:
    lines = [json.dumps(_open(account_id)), "{not json", json.dumps(_invoice(account_id, "I", "1"))]
    lines.append("[" * 100_000 + "]" * 100_000)  # nested too deeply to read
    r = await client.post(
        "/v1/batches",
        content="\n".join(lines) + "\n",
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert _statuses(out) == [201, 422, 201, 422]
    assert out["results"][1]["problem"]["field"] == "body"
    assert "line 2" in out["results"][1]["problem"]["detail"]
    assert "line 4" in out["results"][3]["problem"]["detail"]


async def test_disputes_in_a_batch_replay_by_idempotency_key(
    client: httpx.AsyncClient, account_id: str
) -> None:
    await _batch(client, [_open(account_id), _invoice(account_id, "INV-1", "100.00")])
    item = {
        "op": "dispute",
        "account_id": account_id,
        "invoice_id": "INV-1",
        "idempotency_key": f"{account_id}-d1",
        "body": {"reason": "wrong amount"},
    }
    first = await _batch(client, [item])
    again = await _batch(client, [item])
    assert _statuses(first) == _statuses(again) == [201]
    assert again["results"][0]["replayed"] is True
    history = await get(client, f"/v1/accounts/{account_id}/events")
    assert [e["type"] for e in history["events"]].count("InvoiceDisputed") == 1


async def test_a_malformed_empty_or_oversized_batch_is_refused_whole(
    client: httpx.AsyncClient,
) -> None:
    too_deep = b"[" * 100_000 + b"]" * 100_000
    for content in (b"{}", b"[", b"[]", json.dumps([{}] * 10_001).encode(), too_deep):
        r = await client.post(
            "/v1/batches", content=content, headers={"Content-Type": "application/json"}
        )
        assert r.headers["content-type"].startswith(PROBLEM)
        assert_problem(r, 422, field="body", rule="validation")


async def test_an_item_nested_deep_but_readable_fails_that_item_only(
    client: httpx.AsyncClient, account_id: str
) -> None:
    for depth in (500, 1_000):  # the reader refuses past 1,024 levels: the batch is whole
        deep = "[" * depth + "]" * depth
        content = f'[{json.dumps(_open(f"{account_id}-{depth}"))},{{"op":"x","body":{deep}}}]'
        r = await client.post(
            "/v1/batches", content=content, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 200, r.text
        assert _statuses(r.json()) == [201, 422]


async def test_concurrent_batches_and_single_commands_lose_nothing(
    client: httpx.AsyncClient, account_id: str
) -> None:
    accounts = [f"{account_id}-{n}" for n in range(6)]
    await _batch(client, [_open(a) for a in accounts])

    def invoices(tag: str, order: list[str]) -> list[Json]:
        return [_invoice(a, f"{tag}-{n}", "10.00") for a in order for n in range(5)]

    singles = [
        client.post(f"/v1/accounts/{a}/invoices", json=_invoice(a, f"S-{n}", "1.00")["body"])
        for a in accounts
        for n in range(3)
    ]
    outs = await asyncio.gather(
        _batch(client, invoices("X", accounts)),
        _batch(client, invoices("Y", accounts[::-1])),
        _batch(client, invoices("Z", accounts[2:] + accounts[:2])),
        *singles,
    )
    for out in outs[:3]:
        assert isinstance(out, dict)
        assert out["written"] == 30, out
    assert all(r.status_code == 201 for r in outs[3:])
    for a in accounts:
        account = await get(client, f"/v1/accounts/{a}")
        assert account["summary"]["invoiced"] == "153.00"
        assert account["version"] == 1 + 3 * 5 + 3
    verify = await get(client, "/v1/audit/verify")
    assert verify["ok"] is True, verify


async def test_a_batch_may_be_larger_than_a_single_command_body(
    client: httpx.AsyncClient, account_id: str
) -> None:
    long = "Premium for the group life scheme, members as listed in the schedule " * 6
    items = [_open(account_id)]
    for n in range(3_000):
        item = _invoice(account_id, f"INV-{n}", "1.00")
        item["body"]["lines"][0]["description"] = long[:400]
        items.append(item)
    content = json.dumps(items).encode()
    assert len(content) > 1024 * 1024  # over the limit of every other route
    r = await client.post(
        "/v1/batches", content=content, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 200, r.text[:500]
    assert r.json()["written"] == 3_001


async def test_a_nul_character_in_an_ndjson_item_is_refused_by_field(
    client: httpx.AsyncClient, account_id: str
) -> None:
    bad = _open(account_id, name="Acme\u0000Ltd")
    good = _open(f"{account_id}-2")
    r = await client.post(
        "/v1/batches",
        content=json.dumps(good) + "\n" + json.dumps(bad) + "\n",
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 200, r.text
    first, second = r.json()["results"]
    assert first["status"] == 201
    assert (second["problem"]["rule"], second["problem"]["field"]) == ("nul-character", "body.name")

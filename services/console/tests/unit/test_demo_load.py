"""The demo loader against stand-in services (httpx MockTransport): what it sends and how
it reports what could not be done yet."""

from __future__ import annotations

import json
from datetime import date

import httpx

from console.demo.load import Backends, Loader
from console.demo.plan import plan

THROUGH = date(2026, 10, 31)


def _client(handler: httpx.MockTransport) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=handler, base_url="http://svc")


async def test_ledger_calls_go_in_batches_and_refusals_are_listed() -> None:
    portfolio = plan(seed=4, policies=30, through=THROUGH)
    sent: list[list[dict[str, object]]] = []

    def ledger(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/batches"
        assert request.headers["x-actor"] == "demo"
        items = json.loads(request.content)
        sent.append(items)
        results = [
            {"index": i, "status": 201, "replayed": False, "body": {"events": [{"position": i}]}}
            for i in range(len(items))
        ]
        results[-1] = {"index": len(items) - 1, "status": 422, "problem": {"detail": "no"}}
        return httpx.Response(200, json={"results": results})

    ok = httpx.MockTransport(lambda r: httpx.Response(201, json={}))
    loader = Loader(
        Backends(_client(httpx.MockTransport(ledger)), _client(ok), _client(ok)), wait=0.1
    )
    summary = await loader.load(portfolio)
    ledger_calls = sum(len(a) for a in portfolio.accounts)
    assert sum(len(b) for b in sent) == ledger_calls
    assert len(summary.refused) == len(sent)  # the last item of each batch
    assert summary.created["broker"] == len([c for c in portfolio.brokers if c.key == "broker"])
    assert summary.head > 0


async def test_a_service_that_does_not_catch_up_leaves_its_step_for_later() -> None:
    portfolio = plan(seed=4, policies=10, through=THROUGH)
    behind = httpx.MockTransport(
        lambda r: httpx.Response(503, json={"feed": {"position": 0, "lag": 500}})
    )
    lags: list[tuple[str, int | None]] = []
    loader = Loader(
        Backends(_client(behind), _client(behind), _client(behind)),
        wait=0.2,
        waiting=lambda service, lag: lags.append((service, lag)),
    )
    await loader.finish(portfolio)
    assert [p.split(" ")[0] for p in loader.summary.pending] == ["dunning", "commission"]
    assert ("dunning", 500) in lags
    assert not loader.summary.created


async def test_collector_calls_follow_the_account_not_its_place_on_the_worklist() -> None:
    portfolio = plan(seed=4, policies=10, through=THROUGH)
    rows = [{"account_id": f"SG-{n:05d}", "overdue": "100.00"} for n in range(12)]
    worklists = [rows, [{"account_id": "NEW-1", "overdue": "900.00"}, *rows]]
    sent: list[tuple[str, str]] = []

    def dunning(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/readyz":
            return httpx.Response(200, json={"feed": {"position": 0}})
        if request.url.path == "/v1/worklist":
            return httpx.Response(200, json={"accounts": worklists.pop(0)})
        if request.method == "POST" and request.url.path != "/v1/dunning-runs":
            sent.append((request.url.path, request.content.decode()))
        return httpx.Response(201, json={})

    ok = httpx.MockTransport(lambda r: httpx.Response(201, json={}))
    loader = Loader(Backends(_client(ok), _client(httpx.MockTransport(dunning)), _client(ok)))
    await loader.collections(portfolio)
    first = list(sent)
    await loader.collections(portfolio)  # the worklist gained an account at the top
    again = {call for call in sent[len(first) :] if "NEW-1" not in call[0]}
    assert again == set(first)
    assert any(path.endswith("/promises") for path, _ in first)


async def test_months_before_one_already_settled_are_skipped_not_refused() -> None:
    """October was settled by hand before the demo: commission refuses the months before it
    (period-order); the demo notes them, settles the rest and reports no refusal."""
    portfolio = plan(seed=4, policies=10, through=THROUGH)
    asked: list[str] = []

    def commission(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/readyz":
            return httpx.Response(200, json={"consumer": {"position": 0}})
        period = json.loads(request.content)["period"]
        asked.append(period)
        if period < "2026-10":
            problem = {"status": 422, "rule": "period-order", "detail": "2026-10 is settled"}
            return httpx.Response(422, json=problem)
        return httpx.Response(201, json={}, headers={"Idempotent-Replayed": "true"})

    ok = httpx.MockTransport(lambda r: httpx.Response(201, json={}))
    loader = Loader(Backends(_client(ok), _client(ok), _client(httpx.MockTransport(commission))))
    await loader.settle(portfolio)
    summary = loader.summary
    assert asked == portfolio.periods
    assert summary.replayed["settlement"] == 1
    assert summary.refused == []
    skipped = [p for p in portfolio.periods if p < "2026-10"]
    assert summary.notes == [
        f"settlement: {len(skipped)} month(s) not settled ({skipped[0]}..{skipped[-1]}):"
        " a later month was settled already; their commission goes into the next settlement"
    ]
    assert summary.notes[0] in summary.lines()


async def test_other_settlement_refusals_are_still_listed() -> None:
    portfolio = plan(seed=4, policies=10, through=THROUGH)

    def commission(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/readyz":
            return httpx.Response(200, json={"consumer": {"position": 0}})
        return httpx.Response(503, text="down", headers={"Retry-After": "0"})

    ok = httpx.MockTransport(lambda r: httpx.Response(201, json={}))
    loader = Loader(Backends(_client(ok), _client(ok), _client(httpx.MockTransport(commission))))
    await loader.settle(portfolio)
    assert len(loader.summary.refused) == len(portfolio.periods)
    assert not loader.summary.notes

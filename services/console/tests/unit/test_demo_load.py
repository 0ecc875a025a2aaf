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

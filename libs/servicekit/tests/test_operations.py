"""The shared operations surface: request metrics, /healthz, /readyz, /metrics, background work."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI, Request
from prometheus_client import CollectorRegistry

from servicekit.operations import HttpMetrics, Job, add_operations, background, owned, repeat


def _app(
    probe_result: tuple[dict[str, Any], bool] | Exception,
) -> tuple[FastAPI, CollectorRegistry]:
    registry = CollectorRegistry()
    metrics = HttpMetrics("demo", registry)
    app = FastAPI()

    async def probe(request: Request) -> tuple[dict[str, Any], bool]:
        if isinstance(probe_result, Exception):
            raise probe_result
        return probe_result

    add_operations(
        app,
        metrics=lambda: metrics,
        registry=lambda: registry,
        probe=probe,
        ready_summary="ready?",
    )
    return app, registry


async def _get(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path)


async def test_readyz_answers_the_probe_and_503_when_it_fails() -> None:
    ready, _ = _app(({"database": "ok"}, True))
    r = await _get(ready, "/readyz")
    assert (r.status_code, r.json()) == (200, {"status": "ready", "database": "ok"})
    lagging, _ = _app(({"database": "ok"}, False))
    assert (await _get(lagging, "/readyz")).json()["status"] == "unavailable"
    down, _ = _app(OSError("connection refused"))
    r = await _get(down, "/readyz")
    assert r.status_code == 503
    assert r.json() == {"status": "unavailable", "database": "connection refused"}


async def test_requests_are_counted_by_route_template_and_status() -> None:
    app, registry = _app(({}, True))
    assert (await _get(app, "/healthz")).json() == {"status": "ok"}
    await _get(app, "/nowhere")
    count = registry.get_sample_value
    assert count(
        "demo_http_requests_total", {"method": "GET", "route": "/healthz", "status": "200"}
    )
    assert count(
        "demo_http_requests_total", {"method": "GET", "route": "unmatched", "status": "404"}
    )


async def test_background_jobs_are_stopped_and_awaited_and_owned_services_closed() -> None:
    seen: list[str] = []

    class Service:
        async def close(self) -> None:
            seen.append("closed")

    async def work() -> None:
        await asyncio.Event().wait()

    async def step() -> None:
        seen.append("step")
        raise RuntimeError("a failed turn is retried")

    async with (
        owned(None, Service),
        background(
            Job(work, lambda: seen.append("stopped")), None, Job(lambda: repeat(step, 0.01, "x"))
        ),
    ):
        await asyncio.sleep(0.05)
    assert seen.count("step") >= 2
    assert seen[-2:] == ["stopped", "closed"]
    given = Service()
    async with owned(given, Service) as same:
        assert same is given
    assert seen.count("closed") == 1  # a service handed in is not closed

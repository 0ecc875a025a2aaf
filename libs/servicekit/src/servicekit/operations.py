"""The operations surface every service has, once: request metrics, /healthz, /readyz and
/metrics, and the background work an app runs for its lifetime.

A service's ``create_app`` calls :func:`add_operations` with where its metrics live and a
readiness probe::

    add_operations(
        app,
        metrics=lambda: app.state.cash.http_metrics,
        registry=lambda: app.state.cash.registry,
        probe=probe,  # async (request) -> (details, ready); raising means not ready
        ready_summary="Database reachable; the directory consumer running and not lagging",
    )

Metrics are looked up per request because a service built at start-up does not exist yet
when the app is created. ``/metrics`` answers to :func:`servicekit.auth.metrics_guard`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.auth import metrics_guard
from servicekit.transient import current_metrics

log = logging.getLogger(__name__)

Probe = Callable[[Request], Awaitable[tuple[dict[str, Any], bool]]]


class HttpMetrics:
    """``<service>_http_requests_total`` and ``<service>_http_request_seconds`` by method and
    route template (and status, for the counter)."""

    def __init__(
        self,
        service: str,
        registry: CollectorRegistry,
        *,
        buckets: Sequence[float] = Histogram.DEFAULT_BUCKETS,
    ) -> None:
        self.requests = Counter(
            f"{service}_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            f"{service}_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=registry,
            buckets=buckets,
        )
        self.db_retries = Counter(
            f"{service}_db_retries_total",
            "Transactions run again after a transient database failure",
            ["reason"],
            registry=registry,
        )
        self.db_unavailable = Counter(
            f"{service}_db_unavailable_total",
            "Requests answered 503 after a transient database failure",
            ["reason"],
            registry=registry,
        )


class MetricsMiddleware:
    """Counts and times requests by route template (plain ASGI: no per-request tasks)."""

    def __init__(self, app: ASGIApp, metrics: Callable[[], HttpMetrics | None]) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        token = current_metrics.set(self.metrics())
        try:
            await self.app(scope, receive, send_status)
        finally:
            current_metrics.reset(token)
            metrics = self.metrics()
            if metrics is not None:
                path = getattr(scope.get("route"), "path", "unmatched")
                method = scope["method"]
                metrics.latency.labels(method, path).observe(time.perf_counter() - start)
                metrics.requests.labels(method, path, str(status)).inc()


def add_operations(
    app: FastAPI,
    *,
    metrics: Callable[[], HttpMetrics | None],
    registry: Callable[[], CollectorRegistry],
    probe: Probe,
    ready_summary: str,
    ready_description: str | None = None,
    tag: str = "operations",
    before_scrape: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """Request metrics, ``/healthz``, ``/readyz`` (200 or 503 with the probe's details; a
    probe that raises answers ``{"status": "unavailable", "database": <error>}``) and
    ``/metrics`` (``before_scrape`` refreshes gauges first; its failure is not the scrape's).
    """

    def current() -> HttpMetrics | None:
        try:
            return metrics()
        except AttributeError:  # before the service is built
            return None

    app.add_middleware(MetricsMiddleware, metrics=current)

    @app.get("/healthz", tags=[tag], summary="The process is alive")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok"}

    @app.get("/readyz", tags=[tag], summary=ready_summary, description=ready_description)
    async def readyz(request: Request) -> JSONResponse:
        try:
            details, ready = await probe(request)
        except Exception as e:  # any failure means not ready
            return JSONResponse({"status": "unavailable", "database": str(e)}, status_code=503)
        body = {"status": "ready" if ready else "unavailable", **details}
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get(
        "/metrics",
        tags=[tag],
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
        dependencies=[Depends(metrics_guard)],
        name="metrics",
    )
    async def metrics_endpoint() -> Response:
        if before_scrape is not None:
            with contextlib.suppress(Exception):
                await before_scrape()
        return Response(generate_latest(registry()), media_type=CONTENT_TYPE_LATEST)


@asynccontextmanager
async def database(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection that has answered ``SELECT 1`` (for a probe's own reads too)."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
        yield conn


class Closable(Protocol):
    async def close(self) -> None: ...


S = TypeVar("S", bound=Closable)


@asynccontextmanager
async def owned(given: S | None, build: Callable[[], S]) -> AsyncIterator[S]:
    """``given`` as it is, or a service built now and closed on the way out."""
    if given is not None:
        yield given
        return
    built = build()
    try:
        yield built
    finally:
        await built.close()


@dataclass(frozen=True)
class Job:
    """Background work: ``run`` as a task; ``stop`` (if any) asks it to finish first."""

    run: Callable[[], Coroutine[Any, Any, None]]
    stop: Callable[[], None] | None = None


@asynccontextmanager
async def background(*jobs: Job | None) -> AsyncIterator[None]:
    """Run the jobs as tasks while the block runs; then stop, cancel and await each."""
    running: list[tuple[Job, asyncio.Task[None]]] = [
        (job, asyncio.create_task(job.run())) for job in jobs if job is not None
    ]
    try:
        yield
    finally:
        for job, _ in running:
            if job.stop is not None:
                job.stop()
        for _, task in running:
            task.cancel()
        for _, task in running:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                log.exception("a background task failed")


async def repeat(step: Callable[[], Awaitable[object]], interval: float, what: str) -> None:
    """Run ``step`` every ``interval`` seconds until cancelled; a failure is logged as
    ``what`` failing and retried at the next turn."""
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; retrying", what)
        await asyncio.sleep(interval)


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers ``SELECT 1``."""
    async with database(engine):
        pass

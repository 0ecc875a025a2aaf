"""The FastAPI application of the ledger service."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger.adapters.http import (
    approvals,
    batches,
    commands,
    kpis,
    problems,
    queries,
    reports,
    search,
    statements,
    suspense,
)
from ledger.adapters.http.deps import LedgerDep
from ledger.adapters.kafka.relay import relay_task
from ledger.adapters.postgres.checkpoints import checkpoint_task
from ledger.bootstrap import WEAK_KEY, Ledger, build
from ledger.settings import Settings
from servicekit.auth import metrics_guard
from servicekit.docs import serve_docs

DESCRIPTION = """
Event-sourced receivables ledger: accounts, invoices, payments and allocations, credit
notes, adjustments, write-offs, refunds and disputes, with balances, open items, aging,
history and tamper evidence. Amounts are decimal strings (`"1250.00"`) in the account's
currency. Every write is idempotent by the id in its body (or an `Idempotency-Key`
header); errors are `application/problem+json`. Every route but `/healthz`, `/readyz` and
`/metrics` needs a bearer token or an API key holding the scope it names.
"""


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ledger_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.feed_held = Gauge(
            "ledger_feed_held_events",
            "Committed events the feed held back at its last read: above the safe horizon, "
            "behind an older transaction still running",
            registry=self.registry,
        )
        self.latency = Histogram(
            "ledger_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )


class MetricsMiddleware:
    """Counts and times requests by route template (plain ASGI: no per-request tasks)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
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

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            method = scope["method"]
            self.metrics.latency.labels(method, path).observe(time.perf_counter() - start)
            self.metrics.requests.labels(method, path, str(status)).inc()


def create_app(ledger: Ledger | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app; with no ``ledger`` one is built from ``settings`` at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = ledger is None
        app.state.ledger = ledger or build(settings or Settings())
        app.state.authenticator = app.state.ledger.authenticator
        try:
            built = app.state.ledger
            async with (
                relay_task(built.engine, built.settings, metrics.registry) as relay,
                checkpoint_task(built.engine, built.chain_key, built.settings.checkpoint_interval),
            ):
                app.state.relay = relay
                yield
        finally:
            if own:
                await app.state.ledger.close()

    app = FastAPI(
        title="Receivables ledger", version="1.0.0", description=DESCRIPTION, lifespan=lifespan
    )
    if ledger is not None:
        app.state.ledger = ledger
        app.state.authenticator = ledger.authenticator
    metrics = Metrics()
    app.state.feed_held = metrics.feed_held
    edge = settings or (ledger.settings if ledger is not None else Settings())
    batch_limit = (("/v1/batches", edge.batch_max_body_bytes),)
    problems.install(app, replace(edge.limits(), bodies=batch_limit))
    serve_docs(app)
    app.include_router(commands.router)
    app.include_router(batches.router)
    app.include_router(suspense.router)
    app.include_router(approvals.router)
    app.include_router(queries.router)
    app.include_router(statements.router)
    app.include_router(search.router)
    app.include_router(reports.router)
    app.include_router(kpis.router)

    app.add_middleware(MetricsMiddleware, metrics=metrics)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="The database answers")
    async def readyz(request: Request, ledger: LedgerDep) -> JSONResponse:
        try:
            async with ledger.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as e:
            return JSONResponse({"status": "unavailable", "database": str(e)}, status_code=503)
        relay = getattr(request.app.state, "relay", None)
        extra: dict[str, Any] = {"relay": relay.status()} if relay is not None else {}
        if ledger.settings.weak_chain_key():  # only possible in development
            extra["warnings"] = [f"{WEAK_KEY} before leaving development."]
        return JSONResponse({"status": "ready", "database": "ok", **extra})

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
        dependencies=[Depends(metrics_guard)],
    )
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app

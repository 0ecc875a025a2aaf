"""The FastAPI application of the commission service.

With ``consume`` set (the default) the app runs the ledger-event consumer as a background
task for its lifetime; tests drive the consumer themselves instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy import text

from commission.adapters.http import brokers, dead_letters, problems, settlements
from commission.adapters.http.deps import CommissionDep
from commission.bootstrap import Commission, build
from commission.settings import Settings
from servicekit.auth import metrics_guard
from servicekit.docs import serve_docs

DESCRIPTION = """
Broker commission: broker register with maker-checker bank details, effective-dated
agreements, accrual and clawback from the ledger's events, settlement statements (JSON,
CSV, XLSX) and payout files. Amounts are decimal strings; errors are
`application/problem+json`. Every route but `/healthz`, `/readyz` and `/metrics` needs a
bearer token or an API key holding the scope it names; the actor recorded (and compared
between maker and checker) is the authenticated subject.
"""


def create_app(service: Commission | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app; with no ``service`` one is built from ``settings`` at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = service is None
        svc: Commission = service or build(settings or Settings())
        app.state.commission = svc
        app.state.authenticator = svc.authenticator
        _metrics(app, svc)
        task = asyncio.create_task(svc.consumer.run()) if svc.settings.consume else None
        try:
            yield
        finally:
            if task is not None:
                svc.consumer.stop()
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if own:
                await svc.close()

    app = FastAPI(
        title="Broker commission", version="1.0.0", description=DESCRIPTION, lifespan=lifespan
    )
    if service is not None:
        app.state.commission = service
        app.state.authenticator = service.authenticator
        _metrics(app, service)
    edge = settings or (service.settings if service is not None else Settings())
    problems.install(app, edge.limits())
    serve_docs(app)
    app.include_router(brokers.router)
    app.include_router(settlements.router)
    app.include_router(dead_letters.router)

    @app.middleware("http")
    async def observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        path = getattr(request.scope.get("route"), "path", "unmatched")
        m = getattr(request.app.state, "http_metrics", None)
        if m is not None:
            m[1].labels(request.method, path).observe(time.perf_counter() - start)
            m[0].labels(request.method, path, str(response.status_code)).inc()
        return response

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Database reachable, ledger consumer running and not lagging",
        description="503 when the database fails or, in a process that consumes the ledger's "
        "events (`COMMISSION_CONSUME`), while its consumer is starting or retrying or lags more "
        "than `COMMISSION_READY_MAX_LAG_SECONDS` (as dunning's /readyz). Details: `dead_letters` "
        "(ledger events parked unprocessed, see /v1/dead-letters; they do not make the service "
        "unready) and the consumer's status.",
    )
    async def readyz(service: CommissionDep) -> JSONResponse:
        consumer = service.consumer.status().as_dict()
        try:
            async with service.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            dead = await service.dead_letters().count()
        except Exception as e:  # any failure means not ready
            return JSONResponse(
                {"status": "unavailable", "database": str(e), "consumer": consumer}, 503
            )
        consumer["dead_letters"] = dead  # the table's count: retries elsewhere included
        body = {"status": "ready", "database": "ok", "dead_letters": dead, "consumer": consumer}
        if service.settings.consume:  # this process follows the ledger: judge its consumer
            limits = (service.settings.ready_max_lag_seconds, service.settings.ready_max_lag)
            if not service.consumer.status().keeps_up(*limits):
                body["status"] = "unavailable"
                return JSONResponse(body, 503)
        return JSONResponse(body)

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
        dependencies=[Depends(metrics_guard)],
    )
    async def metrics(service: CommissionDep) -> Response:
        with contextlib.suppress(Exception):  # the gauge from the table (a CLI may retry)
            await service.dead_letters().count()
        return Response(generate_latest(service.registry), media_type=CONTENT_TYPE_LATEST)

    return app


def _metrics(app: FastAPI, svc: Commission) -> None:
    if getattr(app.state, "http_metrics", None) is not None:
        return
    requests = Counter(
        "commission_http_requests_total",
        "HTTP requests",
        ["method", "route", "status"],
        registry=svc.registry,
    )
    latency = Histogram(
        "commission_http_request_seconds",
        "HTTP request latency",
        ["method", "route"],
        registry=svc.registry,
    )
    app.state.http_metrics = (requests, latency)

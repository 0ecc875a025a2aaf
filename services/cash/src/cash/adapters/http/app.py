"""The FastAPI application of the cash service.

With ``consume`` set (the default) the app follows the ledger's events (the account
directory) as a background task for its lifetime; tests drive the consumer themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy import text

from cash.adapters.http import accounts, partners, problems, reconciliation, routes, scopes
from cash.adapters.http.deps import CashDep, everywhere, get_cash
from cash.bootstrap import Cash, build
from cash.settings import Settings
from servicekit import dead_letter_router
from servicekit.auth import metrics_guard
from servicekit.docs import serve_docs

DESCRIPTION = """
Cash application: bank statements (camt.053, camt.054) imported whole and once, each
receipt matched to open invoices with a score and posted to the ledger with ids derived
from the statement entry; the rest waits in a review queue with ranked suggestions, to be
matched, split or refunded by hand. Amounts are decimal strings; errors are
`application/problem+json`. Every route but `/healthz`, `/readyz` and `/metrics` needs a
bearer token or an API key holding the scope it names.
"""


def create_app(service: Cash | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app; with no ``service`` one is built from ``settings`` at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = service is None
        svc: Cash = service or build(settings or Settings())
        app.state.cash = svc
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
        title="Cash application", version="1.0.0", description=DESCRIPTION, lifespan=lifespan
    )
    if service is not None:
        app.state.cash = service
        app.state.authenticator = service.authenticator
        _metrics(app, service)
    problems.install(app)
    serve_docs(app)
    app.include_router(routes.router)
    app.include_router(partners.router)
    app.include_router(reconciliation.router)
    app.include_router(accounts.router)
    app.include_router(
        dead_letter_router(
            get_cash,
            problems.PROBLEMS,
            read_scope=scopes.DEAD_LETTERS,
            retry_scope=scopes.OPERATE,
        ),
        dependencies=[Depends(everywhere)],
    )

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
        summary="Database reachable; the directory consumer running and not lagging",
    )
    async def readyz(service: CashDep) -> JSONResponse:
        consumer = service.consumer.status().as_dict()
        try:
            async with service.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as e:  # any failure means not ready
            return JSONResponse({"status": "unavailable", "database": str(e)}, 503)
        body = {"status": "ready", "database": "ok", "consumer": consumer}
        lag = consumer["lag"]
        if service.settings.consume and (
            not consumer["ready"] or (lag is not None and lag > service.settings.ready_max_lag)
        ):
            body["status"] = "unavailable"
            return JSONResponse(body, 503)
        return JSONResponse(body)

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics",
        dependencies=[Depends(metrics_guard)],
    )
    async def metrics(service: CashDep) -> Response:
        return Response(generate_latest(service.registry), media_type=CONTENT_TYPE_LATEST)

    return app


def _metrics(app: FastAPI, svc: Cash) -> None:
    if getattr(app.state, "http_metrics", None) is not None:
        return
    requests = Counter(
        "cash_http_requests_total",
        "HTTP requests",
        ["method", "route", "status"],
        registry=svc.registry,
    )
    latency = Histogram(
        "cash_http_request_seconds",
        "HTTP request latency",
        ["method", "route"],
        registry=svc.registry,
    )
    app.state.http_metrics = (requests, latency)

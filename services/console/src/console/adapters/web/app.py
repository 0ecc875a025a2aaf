"""The console's FastAPI application: server-rendered pages over the services' APIs."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from console.adapters.web import accounts, errors, reports, session
from console.adapters.web.deps import HERE, ConsoleDep
from console.bootstrap import Console, build
from console.settings import Settings
from servicekit.docs import serve_docs

SESSION_COOKIE = "console_session"
SESSION_SECONDS = 8 * 3600  # a working day


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "console_http_requests_total",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "console_http_request_seconds",
            "HTTP request latency (including the backend calls)",
            ["method", "route"],
            registry=self.registry,
        )

    async def middleware(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = getattr(request.scope.get("route"), "path", "unmatched")
            self.latency.labels(request.method, route).observe(time.perf_counter() - start)
            self.requests.labels(request.method, route, str(status)).inc()


def create_app(console: Console | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app; with no ``console`` one is built from ``settings`` at start-up."""
    settings = console.settings if console is not None else settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = console is None
        app.state.console = console or build(settings)
        try:
            yield
        finally:
            if own:
                await app.state.console.close()

    app = FastAPI(
        title="Receivables console",
        version="1.0.0",
        description="Server-rendered pages for front-line staff over the ledger, dunning "
        "and commission APIs. Pages answer HTML; other clients get problem+json refusals.",
        lifespan=lifespan,
    )
    if console is not None:
        app.state.console = console
    metrics = Metrics()
    errors.install(app)
    serve_docs(app)
    app.include_router(accounts.router)
    app.include_router(reports.router)
    app.include_router(session.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.middleware("http")(metrics.middleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_SECONDS,
        same_site="strict",
        https_only=settings.session_https_only,
    )

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Every backend service is ready")
    async def readyz(console: ConsoleDep) -> JSONResponse:
        backends = await console.readiness()
        ready = all(backends.values())
        body = {
            "status": "ready" if ready else "unavailable",
            "backends": {k: "ok" if v else "unavailable" for k, v in backends.items()},
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    async def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app

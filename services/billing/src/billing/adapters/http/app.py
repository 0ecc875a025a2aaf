"""The FastAPI application of the billing service, and its event publisher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from billing.adapters.http import members, policies, problems, runs
from billing.adapters.http.deps import BillingDep
from billing.adapters.postgres import outbox
from billing.bootstrap import Billing, build
from billing.settings import Settings
from servicekit.auth import metrics_guard
from servicekit.docs import serve_docs

log = logging.getLogger(__name__)

DESCRIPTION = """
Premium billing for group policies: products and rates per member or tier, tax per
jurisdiction and product, member lists (JSON, CSV, XLSX), billing runs that post invoices
and credit/debit notes to the receivables ledger with deterministic ids, pro-rata member
changes, renewals, terminations, premium revisions and reconciliation. Amounts are
decimal strings; errors are `application/problem+json`. Every route but `/healthz`,
`/readyz` and `/metrics` needs a bearer token or an API key holding the scope it names.
"""


async def _publish_loop(billing: Billing) -> None:
    assert billing.publisher is not None
    while True:
        try:
            await billing.publisher.publish_pending()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("publishing billing events failed; retrying")
        await asyncio.sleep(billing.settings.publish_interval)


def create_app(
    billing: Billing | None = None, settings: Settings | None = None, *, background: bool = True
) -> FastAPI:
    """Build the app; ``background`` publishes the outbox to Kafka when configured."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = billing is None
        b: Billing = billing or build(settings or Settings())
        app.state.billing = b
        app.state.authenticator = b.authenticator
        tasks = []
        if background and b.publisher is not None:
            tasks.append(asyncio.create_task(_publish_loop(b)))
        try:
            yield
        finally:
            for t in tasks:
                t.cancel()
            for t in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await t
            if own:
                await b.close()

    app = FastAPI(
        title="Receivables billing", version="1.0.0", description=DESCRIPTION, lifespan=lifespan
    )
    if billing is not None:
        app.state.billing = billing
        app.state.authenticator = billing.authenticator
    problems.install(app)
    serve_docs(app)
    for module in (policies, members, runs):
        app.include_router(module.router)
    _operations(app)
    return app


def _operations(app: FastAPI) -> None:
    @app.middleware("http")
    async def observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        path = getattr(request.scope.get("route"), "path", "unmatched")
        m = request.app.state.billing.metrics
        m.latency.labels(request.method, path).observe(time.perf_counter() - start)
        m.requests.labels(request.method, path, str(response.status_code)).inc()
        return response

    @app.get("/healthz", tags=["health"], summary="The process is alive")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="Database and ledger reachable")
    async def readyz(billing: BillingDep) -> JSONResponse:
        body: dict[str, Any] = {"status": "ready"}
        try:
            async with billing.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                body["unpublished_events"] = await outbox.backlog(conn)
            body["database"] = "ok"
        except Exception as e:
            return JSONResponse({"status": "unavailable", "database": str(e)}, status_code=503)
        body["ledger"] = "ok" if await billing.ledger.ping() else "unreachable"
        if body["ledger"] != "ok":
            body["status"] = "unavailable"
            return JSONResponse(body, status_code=503)
        return JSONResponse(body)

    @app.get(
        "/metrics",
        tags=["health"],
        summary="Prometheus metrics",
        dependencies=[Depends(metrics_guard)],
    )
    async def metrics(billing: BillingDep) -> Response:
        return Response(generate_latest(billing.registry), media_type=CONTENT_TYPE_LATEST)

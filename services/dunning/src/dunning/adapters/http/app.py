"""The FastAPI application of the dunning service, and its background workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from dunning.adapters.http import (
    accounts,
    credit,
    dead_letters,
    lists,
    operations,
    problems,
    reports,
)
from dunning.adapters.http.deps import DunningDep
from dunning.application import queries
from dunning.bootstrap import Dunning, build
from dunning.settings import Settings
from eventfeed import Consumer
from servicekit.auth import metrics_guard
from servicekit.docs import serve_docs

log = logging.getLogger(__name__)

DESCRIPTION = """
Dunning and credit control for the receivables ledger: dunning levels per jurisdiction and
segment, notices, fees, scoped suspension and reinstatement, promises to pay, payment
plans, contact log, blacklist and credit checks. Amounts are decimal strings; errors are
`application/problem+json`. Every route but `/healthz`, `/readyz` and `/metrics` needs a
bearer token or an API key holding the scope it names.
"""


async def _effects_loop(dunning: Dunning) -> None:
    while True:
        try:
            await dunning.effects.deliver()
            if dunning.publisher is not None:
                await dunning.publisher.publish_pending()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("delivering notices, fees or events failed; retrying")
        await asyncio.sleep(dunning.settings.effects_interval)


def create_app(
    dunning: Dunning | None = None, settings: Settings | None = None, *, background: bool = True
) -> FastAPI:
    """Build the app; ``background`` starts the ledger consumer and the delivery worker."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = dunning is None
        d: Dunning = dunning or build(settings or Settings())
        app.state.dunning = d
        app.state.authenticator = d.authenticator
        tasks: list[asyncio.Task[None]] = []
        consumer: Consumer | None = None
        if background and d.settings.consume:
            consumer = d.consumer()
            tasks.append(asyncio.create_task(consumer.run()))
        app.state.consumer = consumer
        if background:
            tasks.append(asyncio.create_task(_effects_loop(d)))
        try:
            yield
        finally:
            if consumer is not None:
                consumer.stop()
            for t in tasks:
                t.cancel()
            for t in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await t
            if own:
                await d.close()

    app = FastAPI(
        title="Receivables dunning", version="1.0.0", description=DESCRIPTION, lifespan=lifespan
    )
    app.state.consumer = None
    if dunning is not None:
        app.state.dunning = dunning
        app.state.authenticator = dunning.authenticator
    edge = settings or (dunning.settings if dunning is not None else Settings())
    problems.install(app, edge.limits())
    serve_docs(app)
    for module in (operations, accounts, credit, dead_letters, lists, reports):
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
        m = request.app.state.dunning.http_metrics
        m.latency.labels(request.method, path).observe(time.perf_counter() - start)
        m.requests.labels(request.method, path, str(response.status_code)).inc()
        return response

    @app.get("/healthz", tags=["health"], summary="The process is alive")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        summary="Database reachable, ledger feed not lagging",
        description="Details: delivery backlog, `dead_letters` (ledger events parked "
        "unprocessed, see /v1/dead-letters; they do not make the service unready) and the "
        "feed consumer's status.",
    )
    async def readyz(request: Request, dunning: DunningDep) -> JSONResponse:
        body: dict[str, Any] = {"status": "ready"}
        try:
            body["backlog"] = await queries.backlog(dunning.uow)
            body["dead_letters"] = await dunning.dead_letters().count()
            body["database"] = "ok"
        except Exception as e:
            return JSONResponse({"status": "unavailable", "database": str(e)}, status_code=503)
        consumer: Consumer | None = request.app.state.consumer
        if consumer is not None:
            feed = consumer.status().as_dict()
            feed["dead_letters"] = body["dead_letters"]  # the table's count, all processes
            body["feed"] = feed
            limits = (dunning.settings.ready_max_lag_seconds, dunning.settings.ready_max_lag)
            if not consumer.status().keeps_up(*limits):
                body["status"] = "unavailable"
                return JSONResponse(body, status_code=503)
        return JSONResponse(body)

    @app.get(
        "/metrics",
        tags=["health"],
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
        dependencies=[Depends(metrics_guard)],
    )
    async def metrics(dunning: DunningDep) -> Response:
        with contextlib.suppress(Exception):  # the gauge from the table (a CLI may retry)
            await dunning.dead_letters().count()
        return Response(generate_latest(dunning.registry), media_type=CONTENT_TYPE_LATEST)

"""The FastAPI application of the commission service.

With ``consume`` set (the default) the app runs the ledger-event consumer as a background
task for its lifetime; tests drive the consumer themselves instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request

from commission.adapters.http import brokers, dead_letters, problems, settlements
from commission.bootstrap import Commission, build
from commission.settings import Settings
from servicekit.docs import serve_docs
from servicekit.operations import HttpMetrics, Job, add_operations, background, database, owned

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
        async with owned(service, lambda: build(settings or Settings())) as svc:
            _attach(app, svc)
            follow = Job(svc.consumer.run, svc.consumer.stop) if svc.settings.consume else None
            async with background(follow):
                yield

    app = FastAPI(
        title="Broker commission", version="1.0.0", description=DESCRIPTION, lifespan=lifespan
    )
    if service is not None:
        _attach(app, service)
    edge = settings or (service.settings if service is not None else Settings())
    problems.install(app, edge.limits())
    serve_docs(app)
    app.include_router(brokers.router)
    app.include_router(settlements.router)
    app.include_router(dead_letters.router)
    add_operations(
        app,
        metrics=lambda: app.state.http_metrics,
        registry=lambda: app.state.commission.registry,
        probe=_probe,
        ready_summary="Database reachable, ledger consumer running and not lagging",
        ready_description="503 when the database fails or, in a process that consumes the "
        "ledger's events (`COMMISSION_CONSUME`), while its consumer is starting or retrying or "
        "lags more than `COMMISSION_READY_MAX_LAG_SECONDS` (as dunning's /readyz). Details: "
        "`dead_letters` (ledger events parked unprocessed, see /v1/dead-letters; they do not "
        "make the service unready) and the consumer's status.",
        before_scrape=lambda: app.state.commission.dead_letters().count(),  # the gauge
    )
    return app


def _attach(app: FastAPI, svc: Commission) -> None:
    app.state.commission = svc
    app.state.authenticator = svc.authenticator
    if getattr(app.state, "http_metrics", None) is None:
        app.state.http_metrics = HttpMetrics("commission", svc.registry)


async def _probe(request: Request) -> tuple[dict[str, Any], bool]:
    service: Commission = request.app.state.commission
    consumer = service.consumer.status().as_dict()
    async with database(service.engine):
        dead = await service.dead_letters().count()
    consumer["dead_letters"] = dead  # the table's count: retries elsewhere included
    ready = True
    if service.settings.consume:  # this process follows the ledger: judge its consumer
        limits = (service.settings.ready_max_lag_seconds, service.settings.ready_max_lag)
        ready = service.consumer.status().keeps_up(*limits)
    return {"database": "ok", "dead_letters": dead, "consumer": consumer}, ready

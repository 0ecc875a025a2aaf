"""The FastAPI application of the cash service.

With ``consume`` set (the default) the app follows the ledger's events (the account
directory) as a background task for its lifetime; tests drive the consumer themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from fastapi import Depends, FastAPI, Request

from cash.adapters.http import accounts, debits, partners, problems, reconciliation, routes, scopes
from cash.adapters.http.deps import everywhere, get_cash
from cash.bootstrap import Cash, build
from cash.settings import Settings
from servicekit import dead_letter_router
from servicekit.docs import serve_docs
from servicekit.operations import HttpMetrics, Job, add_operations, background, owned, ping

DESCRIPTION = """
Cash application: bank statements (camt.053, camt.054) imported whole and once, each
receipt matched to open invoices with a score and posted to the ledger with ids derived
from the statement entry; the rest waits in a review queue with ranked suggestions, to be
matched, split or refunded by hand. Direct debits: mandates per account, collection runs
posting each debit to the ledger and writing the pain.008 or partner file, and returns
reversing them. Amounts are decimal strings; errors are
`application/problem+json`. Every route but `/healthz`, `/readyz` and `/metrics` needs a
bearer token or an API key holding the scope it names. A caller limited to some
jurisdictions works with the statements of their bank accounts (`CASH_BANK_ACCOUNTS`), their
partners, accounts, mandates and debits; anything of another jurisdiction is not found.
"""


def create_app(service: Cash | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app; with no ``service`` one is built from ``settings`` at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with owned(service, lambda: build(settings or Settings())) as svc:
            _attach(app, svc)
            consumer = svc.consumer
            follow = Job(consumer.run, consumer.stop) if svc.settings.consume else None
            async with background(follow):
                yield

    app = FastAPI(
        title="Cash application", version="1.0.0", description=DESCRIPTION, lifespan=lifespan
    )
    if service is not None:
        _attach(app, service)
    edge = settings or (service.settings if service is not None else Settings())
    statements = (("/v1/imports", edge.import_max_body_bytes),)
    problems.install(app, replace(edge.limits(), bodies=statements))
    serve_docs(app)
    app.include_router(routes.router)
    app.include_router(partners.router)
    app.include_router(reconciliation.router)
    app.include_router(accounts.router)
    app.include_router(debits.mandates)
    app.include_router(debits.runs)
    app.include_router(
        dead_letter_router(
            get_cash,
            problems.PROBLEMS,
            read_scope=scopes.DEAD_LETTERS,
            retry_scope=scopes.OPERATE,
        ),
        dependencies=[Depends(everywhere)],
    )
    add_operations(
        app,
        metrics=lambda: app.state.http_metrics,
        registry=lambda: app.state.cash.registry,
        probe=_probe,
        ready_summary="Database reachable; the directory consumer running and not lagging",
    )
    return app


def _attach(app: FastAPI, svc: Cash) -> None:
    app.state.cash = svc
    app.state.authenticator = svc.authenticator
    if getattr(app.state, "http_metrics", None) is None:
        app.state.http_metrics = HttpMetrics("cash", svc.registry)


async def _probe(request: Request) -> tuple[dict[str, Any], bool]:
    service: Cash = request.app.state.cash
    consumer = service.consumer.status().as_dict()
    await ping(service.engine)
    lag = consumer["lag"]
    ready = not service.settings.consume or (
        consumer["ready"] and (lag is None or lag <= service.settings.ready_max_lag)
    )
    return {"database": "ok", "consumer": consumer}, ready

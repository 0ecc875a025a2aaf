"""The FastAPI application of the billing service, and its event publisher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request

from billing.adapters.http import members, policies, problems, runs
from billing.adapters.postgres import outbox
from billing.bootstrap import Billing, build
from billing.settings import Settings
from servicekit.docs import serve_docs
from servicekit.operations import Job, add_operations, database, owned, repeat
from servicekit.operations import background as in_background

DESCRIPTION = """
Premium billing for group policies: products and rates per member or tier, tax per
jurisdiction and product, member lists (JSON, CSV, XLSX), billing runs that post invoices
and credit/debit notes to the receivables ledger with deterministic ids, pro-rata member
changes, renewals, terminations, premium revisions and reconciliation. Amounts are
decimal strings; errors are `application/problem+json`. Every route but `/healthz`,
`/readyz` and `/metrics` needs a bearer token or an API key holding the scope it names.
"""


def create_app(
    billing: Billing | None = None, settings: Settings | None = None, *, background: bool = True
) -> FastAPI:
    """Build the app; ``background`` publishes the outbox to Kafka when configured."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with owned(billing, lambda: build(settings or Settings())) as b:
            _attach(app, b)
            publish = None
            if background and (publisher := b.publisher) is not None:
                interval = b.settings.publish_interval
                publish = Job(
                    lambda: repeat(publisher.publish_pending, interval, "publishing billing events")
                )
            async with in_background(publish):
                yield

    app = FastAPI(
        title="Receivables billing", version="1.0.0", description=DESCRIPTION, lifespan=lifespan
    )
    if billing is not None:
        _attach(app, billing)
    edge = settings or (billing.settings if billing is not None else Settings())
    problems.install(app, edge.limits())  # BILLING_MAX_BODY_BYTES: a long member list
    serve_docs(app)
    for module in (policies, members, runs):
        app.include_router(module.router)
    add_operations(
        app,
        metrics=lambda: app.state.billing.metrics,
        registry=lambda: app.state.billing.registry,
        probe=_probe,
        ready_summary="Database and ledger reachable",
        tag="health",
    )
    return app


def _attach(app: FastAPI, b: Billing) -> None:
    app.state.billing = b
    app.state.authenticator = b.authenticator


async def _probe(request: Request) -> tuple[dict[str, Any], bool]:
    billing: Billing = request.app.state.billing
    async with database(billing.engine) as conn:
        backlog = await outbox.backlog(conn)
    ledger = "ok" if await billing.ledger.ping() else "unreachable"
    return {"unpublished_events": backlog, "database": "ok", "ledger": ledger}, ledger == "ok"

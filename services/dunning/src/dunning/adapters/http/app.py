"""The FastAPI application of the dunning service, and its background workers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request

from dunning.adapters.http import (
    accounts,
    credit,
    dead_letters,
    lists,
    operations,
    problems,
    reports,
)
from dunning.application import queries
from dunning.bootstrap import Dunning, build
from dunning.settings import Settings
from eventfeed import Consumer
from servicekit.docs import serve_docs
from servicekit.operations import Job, add_operations, owned, repeat
from servicekit.operations import background as in_background

DESCRIPTION = """
Dunning and credit control for the receivables ledger: dunning levels per jurisdiction and
segment, notices, fees, scoped suspension and reinstatement, promises to pay, payment
plans, contact log, blacklist and credit checks. Amounts are decimal strings; errors are
`application/problem+json`. Every route but `/healthz`, `/readyz` and `/metrics` needs a
bearer token or an API key holding the scope it names.
"""


async def _deliver(dunning: Dunning) -> None:
    await dunning.effects.deliver()
    if dunning.publisher is not None:
        await dunning.publisher.publish_pending()


def create_app(
    dunning: Dunning | None = None, settings: Settings | None = None, *, background: bool = True
) -> FastAPI:
    """Build the app; ``background`` starts the ledger consumer and the delivery worker."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with owned(dunning, lambda: build(settings or Settings())) as d:
            _attach(app, d)
            consumer = d.consumer() if background and d.settings.consume else None
            app.state.consumer = consumer
            jobs: list[Job] = [] if consumer is None else [Job(consumer.run, consumer.stop)]
            if background:
                step, interval = (lambda: _deliver(d)), d.settings.effects_interval
                what = "delivering notices, fees or events"
                jobs.append(Job(lambda: repeat(step, interval, what)))
            async with in_background(*jobs):
                yield

    app = FastAPI(
        title="Receivables dunning", version="1.0.0", description=DESCRIPTION, lifespan=lifespan
    )
    app.state.consumer = None
    if dunning is not None:
        _attach(app, dunning)
    edge = settings or (dunning.settings if dunning is not None else Settings())
    problems.install(app, edge.limits())
    serve_docs(app)
    for module in (operations, accounts, credit, dead_letters, lists, reports):
        app.include_router(module.router)
    add_operations(
        app,
        metrics=lambda: app.state.dunning.http_metrics,
        registry=lambda: app.state.dunning.registry,
        probe=_probe,
        ready_summary="Database reachable, ledger feed not lagging",
        ready_description="Details: delivery backlog, `dead_letters` (ledger events parked "
        "unprocessed, see /v1/dead-letters; they do not make the service unready) and the "
        "feed consumer's status.",
        tag="health",
        before_scrape=lambda: app.state.dunning.dead_letters().count(),  # the gauge
    )
    return app


def _attach(app: FastAPI, d: Dunning) -> None:
    app.state.dunning = d
    app.state.authenticator = d.authenticator


async def _probe(request: Request) -> tuple[dict[str, Any], bool]:
    dunning: Dunning = request.app.state.dunning
    body: dict[str, Any] = {}
    body["backlog"] = await queries.backlog(dunning.uow)
    body["dead_letters"] = await dunning.dead_letters().count()
    body["database"] = "ok"
    consumer: Consumer | None = request.app.state.consumer
    if consumer is None:
        return body, True
    feed = consumer.status().as_dict()
    feed["dead_letters"] = body["dead_letters"]  # the table's count, all processes
    body["feed"] = feed
    limits = (dunning.settings.ready_max_lag_seconds, dunning.settings.ready_max_lag)
    return body, consumer.status().keeps_up(*limits)

"""The FastAPI application of the ledger service."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from ledger.adapters.http import (
    approvals,
    batches,
    commands,
    fast_routes,
    kpis,
    problems,
    queries,
    reports,
    search,
    statements,
    suspense,
)
from ledger.adapters.kafka.relay import relay_task
from ledger.adapters.postgres.checkpoints import checkpoint_task
from ledger.application.group import GroupCommit
from ledger.bootstrap import WEAK_KEY, Ledger, build
from ledger.settings import Settings
from servicekit.docs import serve_docs
from servicekit.operations import HttpMetrics, add_operations, owned, ping

DESCRIPTION = """
Event-sourced receivables ledger: accounts, invoices, payments and allocations, credit
notes, adjustments, write-offs, refunds and disputes, with balances, open items, aging,
history and tamper evidence. Amounts are decimal strings (`"1250.00"`) in the account's
currency. Every write is idempotent by the id in its body (or an `Idempotency-Key`
header); errors are `application/problem+json`. Every route but `/healthz`, `/readyz` and
`/metrics` needs a bearer token or an API key holding the scope it names.
"""


NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http = HttpMetrics(
            "ledger",
            self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
        self.feed_held = Gauge(
            "ledger_feed_held_events",
            "Committed events the feed held back at its last read: above the safe horizon, "
            "behind an older transaction still running",
            registry=self.registry,
        )
        self.group_size = Histogram(
            "ledger_group_commit_commands",
            "Single commands per group commit (one transaction, one COMMIT); 1 is a command "
            "that found no other waiting",
            buckets=(1, 2, 4, 8, 16, 32, 64),
            registry=self.registry,
        )
        self.group_alone = Counter(
            "ledger_group_commit_alone",
            "Commands of a group that ran alone instead: their account was held by another "
            "transaction (busy) or the group's transaction failed (failed)",
            ["reason"],
            registry=self.registry,
        )

        self.group_queued = Gauge(
            "ledger_group_commit_queued",
            "Single commands waiting for the next group commit now (at most "
            "LEDGER_GROUP_COMMIT_MAX_QUEUE)",
            registry=self.registry,
        )
        self.group_refused = Counter(
            "ledger_group_commit_refused",
            "Single commands refused with 503 before anything was written: the queue was "
            "full (queue-full) or the service shutting down (shutting-down)",
            ["reason"],
            registry=self.registry,
        )

    def watch(self, commands: GroupCommit) -> None:
        """Report the sizes, refusals and queue of ``commands`` here."""
        commands.watch = self
        self.group_queued.set_function(lambda: commands.queued)

    def group(self, size: int) -> None:
        self.group_size.observe(size)

    def alone(self, reason: str) -> None:
        self.group_alone.labels(reason).inc()

    def refused(self, reason: str) -> None:
        self.group_refused.labels(reason).inc()


def create_app(ledger: Ledger | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app; with no ``ledger`` one is built from ``settings`` at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with owned(ledger, lambda: build(settings or Settings())) as built:
            if ledger is None:  # the service's own process (ledger serve): see below
                _freeze_startup_heap()
            app.state.ledger = built
            app.state.authenticator = built.authenticator
            metrics.watch(built.commands)
            async with (
                relay_task(built.engine, built.settings, metrics.registry) as relay,
                checkpoint_task(built.engine, built.chain_key, built.settings.checkpoint_interval),
            ):
                app.state.relay = relay
                yield

    app = FastAPI(
        title="Receivables ledger",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # The service's metrics are its own (/metrics); FastAPI's OpenTelemetry, never
        # configured here, still looked up the global providers on every request.
        telemetry=NO_TELEMETRY,
    )
    if ledger is not None:
        app.state.ledger = ledger
        app.state.authenticator = ledger.authenticator
    metrics = Metrics()
    app.state.feed_held = metrics.feed_held
    if ledger is not None:
        metrics.watch(ledger.commands)
    edge = settings or (ledger.settings if ledger is not None else Settings())
    batch_limit = (("/v1/batches", edge.batch_max_body_bytes),)
    problems.install(app, replace(edge.limits(), bodies=batch_limit))
    serve_docs(app)
    app.include_router(commands.router)
    fast_routes.install(app, [r for r in commands.router.routes if isinstance(r, APIRoute)])
    app.include_router(batches.router)
    app.include_router(suspense.router)
    app.include_router(approvals.router)
    app.include_router(queries.router)
    balance = [r for r in queries.router.routes if getattr(r, "endpoint", None) is queries.balance]
    fast_routes.install_reads(app, [(r, queries.BALANCE_QUERY) for r in balance])
    app.include_router(statements.router)
    app.include_router(search.router)
    app.include_router(reports.router)
    app.include_router(kpis.router)

    add_operations(
        app,
        metrics=lambda: metrics.http,
        registry=lambda: metrics.registry,
        probe=_probe,
        ready_summary="The database answers",
    )
    return app


YOUNG_GENERATION = 10_000  # container objects allocated between young collections (was 700)


def _freeze_startup_heap() -> None:
    """Move every object alive after start-up (modules, models, routes: about 190,000)
    out of the collector's reach. A full collection scanned them all to find nothing,
    about 0.1 s with the event loop stopped, several times a minute under load: every
    request in flight waited, the slow hundredth of the answers. What start-up made
    stays for the life of the process anyway, so nothing collectable is kept.

    The young generation is collected less often too: most of a command's objects are
    freed by their reference counts between two collections, and fewer collections scan
    fewer of the survivors (2 % fewer instructions per command); one scans at most some
    thousands of objects, well under a millisecond."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION, *gc.get_threshold()[1:])


async def _probe(request: Request) -> tuple[dict[str, Any], bool]:
    ledger: Ledger = request.app.state.ledger
    await ping(ledger.engine)
    body: dict[str, Any] = {"database": "ok"}
    relay = getattr(request.app.state, "relay", None)
    if relay is not None:
        body["relay"] = relay.status()
    if ledger.settings.weak_chain_key():  # only possible in development
        body["warnings"] = [f"{WEAK_KEY} before leaving development."]
    return body, True

"""Test support: a ledger in-process, for the ledger's own tests and for the tests of the
services that post to it or read its feed (their test code imports this module; no
service's code does).

``migrated(database_url, identity, **settings) -> Settings``
    Settings of a ledger on ``database_url`` with a test chain key, trusting the tokens of
    ``identity`` (a :class:`~servicekit.auth.testing.TestIdentity`), its schema migrated
    (``migrate=False`` for a copy of a migrated template).
``running(settings, identity, subject=...)``
    An async context manager yielding an :class:`InProcessLedger`: the ledger built on
    ``settings``, its app, and an admin's client of that app on an ASGI transport (no server,
    no port); the client and the ledger are closed on exit.
``in_process(database_url, identity, subject=..., **settings)``
    The same on the :func:`migrated` settings of ``database_url``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from ledger import cli
from ledger.adapters.http.app import create_app
from ledger.bootstrap import Ledger, build
from ledger.settings import Settings
from servicekit.auth import ADMIN
from servicekit.auth.testing import TestIdentity

TEST_CHAIN_KEY = "test-chain-key"
BASE_URL = "http://ledger"


def migrated(
    database_url: str,
    identity: TestIdentity | None = None,
    *,
    migrate: bool = True,
    **settings: Any,
) -> Settings:
    """The settings of a test ledger on ``database_url`` (``settings`` override the rest)."""
    settings.setdefault("chain_key", TEST_CHAIN_KEY)
    trusted = identity.settings() if identity is not None else {}
    built = Settings(database_url=database_url, **{**trusted, **settings})
    if migrate:
        cli.migrate(built)
    return built


def asgi_client(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """A client of ``app`` in-process (the caller closes it)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL, headers=headers
    )


@dataclass(frozen=True)
class InProcessLedger:
    """A ledger built for a test: ``service`` (its engine, handler, settings), ``app`` and
    ``client``, an admin's client of the app."""

    service: Ledger
    app: FastAPI
    identity: TestIdentity
    client: httpx.AsyncClient

    @property
    def settings(self) -> Settings:
        return self.service.settings

    def client_as(
        self, *roles: str, jurisdictions: Iterable[str] = ("*",), subject: str | None = None
    ) -> httpx.AsyncClient:
        """A new client of the app with a token of ``roles`` (the caller closes it)."""
        return asgi_client(
            self.app, self.identity.headers(*roles, jurisdictions=jurisdictions, subject=subject)
        )

    def anonymous(self) -> httpx.AsyncClient:
        """A new client of the app sending no credential (the caller closes it)."""
        return asgi_client(self.app)


@asynccontextmanager
async def running(
    settings: Settings, identity: TestIdentity, *, subject: str = "admin@test"
) -> AsyncIterator[InProcessLedger]:
    """The ledger built on ``settings`` in-process; ``client`` acts as the admin ``subject``."""
    service = build(settings)
    app = create_app(service)
    try:
        async with asgi_client(app, identity.headers(ADMIN, subject=subject)) as client:
            yield InProcessLedger(service, app, identity, client)
    finally:
        await service.close()


@asynccontextmanager
async def in_process(
    database_url: str,
    identity: TestIdentity,
    *,
    subject: str = "admin@test",
    migrate: bool = True,
    **settings: Any,
) -> AsyncIterator[InProcessLedger]:
    """:func:`running` on the :func:`migrated` settings of ``database_url`` (migrated in a
    thread: Alembic runs an event loop of its own)."""
    built = migrated(database_url, identity, migrate=False, **settings)
    if migrate:
        await asyncio.to_thread(cli.migrate, built)
    async with running(built, identity, subject=subject) as ledger:
        yield ledger

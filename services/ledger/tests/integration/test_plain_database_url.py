"""LEDGER_DATABASE_URL may be a plain libpq URL (postgresql://): migrations and commands
run on it as on the SQLAlchemy form."""

from __future__ import annotations

import httpx
import pytest

from devstack.pgurl import libpq_url
from devstack.pytest_plugin import DatabaseFactory
from ledger.adapters.http.app import create_app
from ledger.bootstrap import build
from ledger.cli import migrate
from ledger.settings import Settings
from servicekit.auth import ADMIN
from servicekit.auth.testing import TestIdentity

from .conftest import open_account


@pytest.fixture
def plain_settings(
    make_database: DatabaseFactory, monkeypatch: pytest.MonkeyPatch, identity: TestIdentity
) -> Settings:
    plain = libpq_url(make_database("plainurl"))
    assert plain.startswith("postgresql://")
    monkeypatch.setenv("LEDGER_DATABASE_URL", plain)
    monkeypatch.setenv("LEDGER_CHAIN_KEY", "plain-url-key")
    for name, value in identity.settings().items():
        monkeypatch.setenv(f"LEDGER_{name.upper()}", value)
    settings = Settings()
    assert settings.database_url.startswith("postgresql+asyncpg://")
    migrate(settings)  # alembic reads the URL from the settings too
    return settings


async def test_a_plain_postgresql_url_migrates_and_serves(
    plain_settings: Settings, identity: TestIdentity
) -> None:
    ledger = build(plain_settings)
    try:
        transport = httpx.ASGITransport(app=create_app(ledger))
        headers = identity.headers(ADMIN)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://ledger", headers=headers
        ) as client:
            opened = await open_account(client, "PLAIN-1")
            assert opened["version"] == 1
    finally:
        await ledger.close()

"""The long operator jobs of the command line (verify, rebuild-projections) report their
progress once per account and end with a summary line, on a database of their own."""

from __future__ import annotations

import httpx
import pytest

from devstack.pytest_plugin import DatabaseFactory
from ledger import cli
from ledger.adapters.http.app import create_app
from ledger.bootstrap import build
from ledger.settings import Settings
from servicekit.auth import ADMIN
from servicekit.auth.testing import TestIdentity

from .conftest import invoice, open_account


@pytest.fixture(scope="module")
def migrated(make_database: DatabaseFactory, identity: TestIdentity) -> Settings:
    settings = Settings(
        database_url=make_database("cli_jobs"), chain_key="cli-jobs-key", **identity.settings()
    )
    cli.migrate(settings)
    return settings


@pytest.fixture(scope="module")
async def settings(migrated: Settings, identity: TestIdentity) -> Settings:
    """Three accounts of one invoice each: six events."""
    ledger = build(migrated)
    transport = httpx.ASGITransport(app=create_app(ledger))
    headers = identity.headers(ADMIN, subject="admin@test")
    async with httpx.AsyncClient(transport=transport, base_url="http://l", headers=headers) as c:
        for n in range(3):
            await open_account(c, f"JOB-{n}")
            await invoice(c, f"JOB-{n}", "INV-1", "100.00")
    await ledger.close()
    return migrated


async def test_verify_reports_each_account_and_sums_up(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert await cli._verify(settings) == 0
    out, err = capsys.readouterr()
    assert "verified 3 accounts, 6 events" in out
    # stderr is not a terminal here: no bar, only the summary line
    assert err.startswith("verify: 3 accounts, 6 events in ")
    assert len(err.splitlines()) == 1


async def test_rebuild_reports_each_account_and_sums_up(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert await cli._rebuild(settings, apply=False) == 0
    out, err = capsys.readouterr()
    assert "open_items: identical" in out
    assert err.splitlines() == [err.splitlines()[0]]
    assert err.startswith("rebuild: 3 accounts, 6 events in ")

"""The long operator jobs of the command line (verify, rebuild-projections) report their
progress once per account and end with a summary line, on a database of their own."""

from __future__ import annotations

import pytest

from devstack.pytest_plugin import DatabaseFactory
from ledger import cli
from ledger.settings import Settings
from ledger.testing import in_process

from .conftest import IDENTITY, invoice, open_account


@pytest.fixture(scope="module")
async def settings(make_database: DatabaseFactory) -> Settings:
    """Three accounts of one invoice each: six events."""
    async with in_process(make_database("cli_jobs"), IDENTITY, chain_key="cli-jobs-key") as running:
        for n in range(3):
            await open_account(running.client, f"JOB-{n}")
            await invoice(running.client, f"JOB-{n}", "INV-1", "100.00")
    return running.settings


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

"""`commission settle --period` on a migrated database, following a ledger served over HTTP:
once, then idempotently again; a period that has not ended is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from commission.cli import main
from devstack.pytest_plugin import DatabaseFactory
from ledger.adapters.http.app import create_app as create_ledger_app
from ledger.testing import InProcessLedger
from servicekit.apitest import serving
from servicekit.auth import AUDITOR

from .conftest import IDENTITY


@pytest.fixture
def ledger_url(ledger: InProcessLedger) -> Iterator[str]:
    """The ledger's API on a real port, as `commission settle` reaches it."""
    with serving(lambda: create_ledger_app(settings=ledger.settings)) as url:
        yield url


def test_settle_from_the_command_line_twice(
    make_database: DatabaseFactory,
    commission_template: str,
    ledger_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(
        "COMMISSION_DATABASE_URL", make_database("cli", template=commission_template)
    )
    monkeypatch.setenv("COMMISSION_LEDGER_URL", ledger_url)
    monkeypatch.setenv("COMMISSION_LEDGER_TOKEN", IDENTITY.token(AUDITOR, subject="commission"))
    assert main(["settle", "--period", "2026-10"]) == 0  # ended, whenever this runs
    assert "period 2026-10: " in capsys.readouterr().out
    assert main(["settle", "--period", "2026-10"]) == 0
    assert "(already settled)" in capsys.readouterr().out
    assert main(["settle", "--period", "2099-01"]) == 2
    err = capsys.readouterr().err
    assert "refused (period-not-ended)" in err
    assert main(["settle", "--period", "2026-09"]) == 2  # before a settled one: still refused
    assert "period-order" in capsys.readouterr().err

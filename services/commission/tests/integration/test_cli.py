"""`commission settle --period` on a migrated database: once, then idempotently again."""

from __future__ import annotations

import pytest

from commission.cli import main
from devstack.pytest_plugin import DatabaseFactory


def test_settle_from_the_command_line_twice(
    make_database: DatabaseFactory,
    commission_template: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(
        "COMMISSION_DATABASE_URL", make_database("cli", template=commission_template)
    )
    assert main(["settle", "--period", "2026-11"]) == 0
    assert "period 2026-11: 0 statements" in capsys.readouterr().out
    assert main(["settle", "--period", "2026-11"]) == 0
    assert "(already settled)" in capsys.readouterr().out

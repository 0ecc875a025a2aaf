"""Statement lines, imports and partner mappings kept before jurisdictions existed get the
jurisdiction their data tells when the database is upgraded (migration 0007)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import create_async_engine

import cash.migrations
from devstack.pytest_plugin import DatabaseFactory

MIGRATIONS = Path(cash.migrations.__file__).parent

LINES = [  # id, file, bank account, status, the account it was posted to
    ("L1", "F1", "DBS-1", "matched", "'A-SG'"),
    ("L2", "F1", "DBS-1", "matched", "'A-SG'"),
    ("L3", "F1", "DBS-1", "matched", "'A-HK'"),
    ("L4", "F2", "DBS-1", "review", "NULL"),
    ("L5", "F3", "DBS-1", "review", "NULL"),
    ("L6", "F3", "HSBC-9", "review", "NULL"),
]
BEFORE = (
    "INSERT INTO directory_accounts VALUES ('A-SG', 'Merlion', 'SGD', 'SG'), "
    "('A-HK', 'Kowloon', 'HKD', 'HK');"
    "INSERT INTO imports (file_id, format, filename, raw, imported_at, imported_by, lines, "
    "new_lines) VALUES "
    + ", ".join(f"('{f}', 'camt.053', '{f}', '', now(), 'x', 1, 1)" for f in ("F1", "F2", "F3"))
    + "; INSERT INTO lines (line_id, file_id, line_no, bank_account, entry_ref, direction, "
    "amount, currency, value_date, payer_name, remittance, end_to_end_id, return_code, "
    "original_ref, status, account_id) VALUES "
    + ", ".join(
        f"('{i}', '{f}', 1, '{b}', '{i}', 'credit', 1, 'SGD', '2026-02-10', '', '', '', '', '', "
        f"'{st}', {a})"
        for i, f, b, st, a in LINES
    )
    + "; INSERT INTO partner_mappings VALUES ('P-DBS', '{\"bank_account\": \"DBS-1\"}', now(), "
    "'x'), ('P-HSBC', '{\"bank_account\": \"HSBC-9\"}', now(), 'x');"
)


async def _run(url: str, sql: str) -> list[Any]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
            if sql.lstrip().upper().startswith("SELECT"):
                return [tuple(r) for r in await driver.fetch(sql)]  # type: ignore[union-attr]
            await driver.execute(sql)  # type: ignore[union-attr]
            return []
    finally:
        await engine.dispose()


def _query(url: str, sql: str) -> list[Any]:
    """In a thread of its own: the test's event loop is running, alembic runs its own."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _run(url, sql)).result()


def _upgrade(url: str, revision: str) -> None:
    import concurrent.futures

    cfg = Config(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(command.upgrade, cfg, revision).result()


def test_rows_from_before_get_the_jurisdiction_their_data_tells(
    make_database: DatabaseFactory,
) -> None:
    url = make_database("cash_upgrade")
    _upgrade(url, "0006")
    _query(url, BEFORE)
    _upgrade(url, "head")

    lines = _query(url, "SELECT line_id, jurisdiction FROM lines ORDER BY line_id")
    # DBS-1's matched lines went mostly to SG accounts: all its lines are SG's; nothing
    # was matched from HSBC-9, so its line has no jurisdiction (unrestricted callers only)
    assert lines == [
        ("L1", "SG"), ("L2", "SG"), ("L3", "SG"), ("L4", "SG"), ("L5", "SG"), ("L6", None)
    ]  # fmt: skip
    imports = _query(url, "SELECT file_id, jurisdictions FROM imports ORDER BY file_id")
    assert imports == [("F1", ["SG"]), ("F2", ["SG"]), ("F3", None)]
    partners = _query(url, "SELECT partner_id, jurisdiction FROM partner_mappings ORDER BY 1")
    assert partners == [("P-DBS", "SG"), ("P-HSBC", None)]

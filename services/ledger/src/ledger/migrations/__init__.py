"""Alembic migrations of the ledger database (``ledger migrate`` applies them)."""

from __future__ import annotations

from alembic import op
from sqlalchemy.util import await_only


def run_script(sql: str) -> None:
    """Run a multi-statement SQL script on the migration's asyncpg connection.

    asyncpg prepares single statements; a script (functions, DO blocks) goes through its
    simple-query path instead.
    """
    driver = op.get_bind().connection.driver_connection
    assert driver is not None
    await_only(driver.execute(sql))

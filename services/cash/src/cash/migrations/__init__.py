"""Alembic migrations of the cash database (``cash migrate`` applies them)."""

from __future__ import annotations

from alembic import op
from sqlalchemy.util import await_only


def run_script(sql: str) -> None:
    """Run a multi-statement SQL script through asyncpg's simple-query path."""
    driver = op.get_bind().connection.driver_connection
    await_only(driver.execute(sql))  # type: ignore[union-attr]

"""The Alembic environment every service shares: its migrations on an async engine.

A service's ``migrations/env.py`` is two lines::

    from servicekit.migrations import run_migrations

    run_migrations(version_table="billing_alembic")

The URL comes from the ``sqlalchemy.url`` main option, which each service's ``migrate``
command sets. ``version_table`` names the table Alembic keeps its revision in (services that
share one database need one each; the default is Alembic's own).
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def run_migrations(*, version_table: str = "alembic_version") -> None:
    """Run the migrations Alembic was asked for, in one transaction on one connection."""
    config = context.config

    def run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=None, version_table=version_table)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(config.get_main_option("sqlalchemy.url") or "")
        async with engine.connect() as connection:
            await connection.run_sync(run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(main())

"""The Alembic environment every service shares: its migrations on an async engine.

A service's ``migrations/env.py`` is two lines::

    from servicekit.migrations import run_migrations

    run_migrations(version_table="billing_alembic")

The URL comes from the ``sqlalchemy.url`` main option, which each service's ``migrate``
command sets. ``version_table`` names the table Alembic keeps its revision in (services that
share one database need one each; the default is Alembic's own).

The migrations themselves run SQL scripts with :func:`run_script`, and create the table the
shared parts of servicekit keep in every service's database (``api_keys``) with
:func:`create_api_keys`, naming the version of it they create. The revision that adds
``api_keys`` to a service takes its ``upgrade`` and ``downgrade`` from here::

    from servicekit.migrations import api_keys_downgrade as downgrade
    from servicekit.migrations import api_keys_upgrade as upgrade
"""

from __future__ import annotations

import asyncio

from alembic import context, op
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.util import await_only

from servicekit.auth.api_keys import DDL_VERSIONS


def run_script(sql: str) -> None:
    """Run a multi-statement SQL script on the migration's asyncpg connection.

    asyncpg prepares single statements; a script (functions, DO blocks) goes through its
    simple-query path instead.
    """
    driver = op.get_bind().connection.driver_connection
    assert driver is not None
    await_only(driver.execute(sql))


def create_api_keys(version: int, *, grant_to: str | None = None) -> None:
    """Create ``api_keys`` as it is in ``version`` (see servicekit.auth.api_keys), and give
    ``grant_to`` (a role the service runs as) what the key store needs on it."""
    sql = DDL_VERSIONS[version] + ";"
    if grant_to is not None:
        sql += f"\nGRANT SELECT, INSERT, UPDATE ON api_keys TO {grant_to};"
    run_script(sql)


def drop_api_keys() -> None:
    run_script("DROP TABLE api_keys;")


def api_keys_upgrade() -> None:
    """The ``upgrade`` of a service's revision that adds ``api_keys``: version 1, the one it
    was written with (a later version is a later revision, never a change here)."""
    create_api_keys(version=1)


def api_keys_downgrade() -> None:
    """The ``downgrade`` of that revision."""
    drop_api_keys()


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

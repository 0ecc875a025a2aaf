"""Alembic environment: runs the dunning migrations (``dunning migrate`` sets the URL)."""

from servicekit.migrations import run_migrations

run_migrations(version_table="dunning_alembic")

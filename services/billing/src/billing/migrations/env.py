"""Alembic environment: runs the billing migrations (``billing migrate`` sets the URL)."""

from servicekit.migrations import run_migrations

run_migrations(version_table="billing_alembic")

"""Alembic environment: runs the ledger migrations (``ledger migrate`` sets the URL)."""

from servicekit.migrations import run_migrations

run_migrations()

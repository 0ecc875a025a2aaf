"""Alembic environment: runs the cash migrations (``cash migrate`` sets the URL)."""

from servicekit.migrations import run_migrations

run_migrations()

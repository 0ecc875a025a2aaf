"""Alembic environment: runs the commission migrations (``commission migrate`` sets the URL)."""

from servicekit.migrations import run_migrations

run_migrations()

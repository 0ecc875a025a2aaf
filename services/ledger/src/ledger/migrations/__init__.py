"""Alembic migrations of the ledger database (``ledger migrate`` applies them)."""

from servicekit.migrations import run_script

__all__ = ["run_script"]

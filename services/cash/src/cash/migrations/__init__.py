"""Alembic migrations of the cash database (``cash migrate`` applies them)."""

from servicekit.migrations import run_script

__all__ = ["run_script"]

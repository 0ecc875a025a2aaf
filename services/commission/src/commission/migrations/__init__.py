"""Alembic migrations of the commission database (``commission migrate`` applies them)."""

from servicekit.migrations import run_script

__all__ = ["run_script"]

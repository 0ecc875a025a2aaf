"""Alembic migrations of billing's own database (``billing migrate`` applies them)."""

from servicekit.migrations import run_script

__all__ = ["run_script"]

"""Alembic migrations of dunning's own database (``dunning migrate`` applies them)."""

from servicekit.migrations import run_script

__all__ = ["run_script"]

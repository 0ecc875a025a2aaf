"""API keys of service-to-service callers (argon2 hashes; ``billing api-keys``).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from billing.migrations import run_script
from servicekit.auth.api_keys import DDL

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_script(DDL + ";")


def downgrade() -> None:
    run_script("DROP TABLE api_keys;")

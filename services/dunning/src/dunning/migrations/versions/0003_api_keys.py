"""API keys of service-to-service callers (argon2 hashes; ``dunning api-keys``).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from servicekit.migrations import create_api_keys, drop_api_keys

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_api_keys(version=1)


def downgrade() -> None:
    drop_api_keys()

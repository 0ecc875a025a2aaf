"""API keys of service-to-service callers (argon2 hashes; ``commission api-keys``).

Revision ID: 0002
Revises: 0001
"""

from servicekit.migrations import create_api_keys, drop_api_keys

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_api_keys(version=1)


def downgrade() -> None:
    drop_api_keys()

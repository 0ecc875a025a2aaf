"""API keys of service-to-service callers (argon2 hashes; ``ledger api-keys``).

Revision ID: 0005
Revises: 0004
"""

from servicekit.migrations import create_api_keys, drop_api_keys

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WRITER = "ledger_writer"


def upgrade() -> None:
    create_api_keys(version=1, grant_to=WRITER)


def downgrade() -> None:
    drop_api_keys()

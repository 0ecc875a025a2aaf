"""API keys of service-to-service callers (argon2 hashes; ``cash api-keys``).

Revision ID: 0003
Revises: 0002
"""

from cash.migrations import run_script
from servicekit.auth.api_keys import DDL

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_script(DDL + ";")


def downgrade() -> None:
    run_script("DROP TABLE api_keys;")

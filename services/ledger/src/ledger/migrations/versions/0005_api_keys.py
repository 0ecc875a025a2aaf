"""API keys of service-to-service callers (argon2 hashes; ``ledger api-keys``).

Revision ID: 0005
Revises: 0004
"""

from ledger.migrations import run_script
from servicekit.auth.api_keys import DDL

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WRITER = "ledger_writer"


def upgrade() -> None:
    run_script(f"{DDL};\nGRANT SELECT, INSERT, UPDATE ON api_keys TO {WRITER};")


def downgrade() -> None:
    run_script("DROP TABLE api_keys;")

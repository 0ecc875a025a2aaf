"""Lines held in the ledger's suspense (the holding account each is held on); partners'
saved CSV mappings.

Revision ID: 0002
Revises: 0001
"""

from cash.migrations import run_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_script(
        """
        ALTER TABLE lines ADD COLUMN suspense_account text;
        CREATE TABLE partner_mappings (
            partner_id text PRIMARY KEY,
            mapping    jsonb NOT NULL,
            saved_at   timestamptz NOT NULL,
            saved_by   text NOT NULL
        );
        """
    )

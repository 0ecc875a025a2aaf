"""Lines held in the ledger's suspense (the holding account each is held on); partners'
saved CSV mappings.
"""

from cash.migrations import run_script

revision = "0002"
down_revision = "0001"


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

"""Requests waiting for a second user's approval (four-eyes), on the account's row.

``accounts.pending`` maps a request id to the request (a write-off above the threshold,
a new credit limit); decided requests leave it. The partial index lists the accounts
with something pending, for the approvals queue.
"""

from ledger.migrations import run_script

revision = "0006"
down_revision = "0005"

UPGRADE = """
ALTER TABLE accounts ADD COLUMN pending jsonb NOT NULL DEFAULT '{}'::jsonb;
CREATE INDEX accounts_pending ON accounts (account_id) WHERE pending <> '{}'::jsonb;
"""

DOWNGRADE = """
DROP INDEX accounts_pending;
ALTER TABLE accounts DROP COLUMN pending;
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    run_script(DOWNGRADE)

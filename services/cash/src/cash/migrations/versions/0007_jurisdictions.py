"""Jurisdictions of cash: each statement line takes its bank account's (CASH_BANK_ACCOUNTS),
an import the set of its lines', a partner the one of the account its money settles on.

Rows from before get what the data tells: a bank account's jurisdiction is the one of the
ledger accounts its matched lines were posted to (the most frequent, should they differ);
a line of an account nothing was matched from keeps none, and so does its import (only
callers of every jurisdiction see those); a partner mapping takes its bank account's.
"""

from cash.migrations import run_script

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    run_script(
        """
        ALTER TABLE lines ADD COLUMN jurisdiction text;
        ALTER TABLE imports ADD COLUMN jurisdictions text[];
        ALTER TABLE partner_mappings ADD COLUMN jurisdiction text;

        WITH counted AS (
            SELECT l.bank_account, d.jurisdiction, count(*) AS n
            FROM lines l JOIN directory_accounts d ON d.account_id = l.account_id
            WHERE l.status IN ('matched', 'returned')
            GROUP BY l.bank_account, d.jurisdiction
        ), chosen AS (
            SELECT DISTINCT ON (bank_account) bank_account, jurisdiction
            FROM counted ORDER BY bank_account, n DESC, jurisdiction
        )
        UPDATE lines SET jurisdiction = chosen.jurisdiction
        FROM chosen WHERE lines.bank_account = chosen.bank_account;

        UPDATE imports i SET jurisdictions = (
            SELECT array_agg(DISTINCT l.jurisdiction ORDER BY l.jurisdiction)
            FROM lines l WHERE l.file_id = i.file_id
        )
        WHERE NOT EXISTS (
            SELECT 1 FROM lines l WHERE l.file_id = i.file_id AND l.jurisdiction IS NULL
        ) AND EXISTS (SELECT 1 FROM lines l WHERE l.file_id = i.file_id);

        UPDATE partner_mappings p SET jurisdiction = (
            SELECT min(l.jurisdiction) FROM lines l
            WHERE l.bank_account = p.mapping->>'bank_account'
        );

        CREATE INDEX lines_jurisdiction ON lines (jurisdiction, status, line_id);
        """
    )


def downgrade() -> None:
    run_script(
        """
        DROP INDEX lines_jurisdiction;
        ALTER TABLE partner_mappings DROP COLUMN jurisdiction;
        ALTER TABLE imports DROP COLUMN jurisdictions;
        ALTER TABLE lines DROP COLUMN jurisdiction;
        """
    )

"""Payment-partner reconciliation: the partner an import came from (on the import and its
lines), the fee a partner withheld from each settled line, and the transactions expected
from each partner.
"""

from cash.migrations import run_script

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    run_script(
        """
        ALTER TABLE imports ADD COLUMN partner_id text;
        ALTER TABLE lines ADD COLUMN partner_id text;
        ALTER TABLE lines ADD COLUMN fee bigint NOT NULL DEFAULT 0 CHECK (fee >= 0);
        CREATE INDEX lines_partner_date ON lines (partner_id, value_date)
            WHERE partner_id IS NOT NULL;
        CREATE INDEX lines_partner_ref ON lines (partner_id, entry_ref)
            WHERE partner_id IS NOT NULL;
        CREATE TABLE expected_payments (
            partner_id  text NOT NULL,
            reference   text NOT NULL,         -- the partner's transaction id
            amount      bigint NOT NULL,       -- minor units; negative: a refund
            currency    text NOT NULL,
            expected_on date NOT NULL,         -- the settlement date expected
            account_id  text,
            description text NOT NULL DEFAULT '',
            added_at    timestamptz NOT NULL,
            added_by    text NOT NULL,
            PRIMARY KEY (partner_id, reference)
        );
        CREATE INDEX expected_payments_date ON expected_payments (partner_id, expected_on);
        """
    )


def downgrade() -> None:
    run_script(
        """
        DROP TABLE expected_payments;
        ALTER TABLE lines DROP COLUMN fee;
        ALTER TABLE lines DROP COLUMN partner_id;
        ALTER TABLE imports DROP COLUMN partner_id;
        """
    )

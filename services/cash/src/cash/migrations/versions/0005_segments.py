"""Customer segments of accounts, for the allocation order per jurisdiction and segment.

Kept apart from the directory (which is rebuilt from the ledger's events): the segment is
cash's own setting.
"""

from cash.migrations import run_script

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    run_script(
        """
        CREATE TABLE account_segments (
            account_id text PRIMARY KEY,
            segment    text NOT NULL,
            set_at     timestamptz NOT NULL,
            set_by     text NOT NULL
        );
        """
    )


def downgrade() -> None:
    run_script("DROP TABLE account_segments;")

"""What each dunning run did: actions by event type and accounts without a policy."""

from __future__ import annotations

from dunning.migrations import run_script

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    run_script(
        """
ALTER TABLE dunning_runs
    ADD COLUMN actions jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN without_policy integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN dunning_runs.actions IS
    'events the runs of this date wrote, counted by type (summed over reruns)';
CREATE INDEX dunning_accounts_level ON dunning_accounts (level DESC, account_id);
"""
    )


def downgrade() -> None:
    run_script(
        "DROP INDEX dunning_accounts_level;"
        "ALTER TABLE dunning_runs DROP COLUMN actions, DROP COLUMN without_policy;"
    )

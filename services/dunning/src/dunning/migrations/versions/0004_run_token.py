"""The run that last recorded a date, so a run recording itself again (a retry after a
lost COMMIT) is not counted twice."""

from __future__ import annotations

from dunning.migrations import run_script

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    run_script(
        """
ALTER TABLE dunning_runs ADD COLUMN last_run uuid;
COMMENT ON COLUMN dunning_runs.last_run IS
    'the run that recorded this date last: recording it again changes nothing';
"""
    )


def downgrade() -> None:
    run_script("ALTER TABLE dunning_runs DROP COLUMN last_run;")

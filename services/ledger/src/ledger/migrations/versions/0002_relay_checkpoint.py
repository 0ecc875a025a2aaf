"""Checkpoint of the Kafka relay (last published global position)."""

from ledger.migrations import run_script

revision = "0002"
down_revision = "0001"

WRITER = "ledger_writer"

UPGRADE = f"""
CREATE TABLE relay_checkpoints (
    relay      text PRIMARY KEY,
    position   bigint NOT NULL DEFAULT 0,
    published  bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE relay_checkpoints IS
    'Global position up to which a relay has published the events (at least once).';
GRANT SELECT, INSERT, UPDATE ON relay_checkpoints TO {WRITER};
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    run_script("DROP TABLE relay_checkpoints;")

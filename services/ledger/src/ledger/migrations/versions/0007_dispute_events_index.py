"""The dispute events of an account, indexed: balances and aging as of a date read whether
an item was under dispute then from its last dispute event by that date, without reading
the account's (or the ledger's) other events.
"""

from ledger.migrations import run_script

revision = "0007"
down_revision = "0006"

UPGRADE = """
CREATE INDEX events_disputes ON events (stream_id)
    WHERE event_type IN ('InvoiceDisputed', 'DisputeResolved');
"""

DOWNGRADE = """
DROP INDEX events_disputes;
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    run_script(DOWNGRADE)

"""Indexes for searching accounts, invoices and payments across the ledger.

Names and references are found by case-insensitive substring (``ILIKE '%...%'``), which a
trigram GIN index (pg_trgm) serves; lists page by keyset on their sort order.
"""

from ledger.migrations import run_script

revision = "0003"
down_revision = "0002"

UPGRADE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX accounts_name_trgm ON accounts USING gin (name gin_trgm_ops);
CREATE INDEX accounts_id_trgm ON accounts USING gin (account_id gin_trgm_ops);
CREATE INDEX accounts_by_name ON accounts (name, account_id);
CREATE INDEX open_items_policy ON open_items (policy_id) WHERE policy_id IS NOT NULL;
CREATE INDEX open_items_due ON open_items (due_date, account_id, item_id);
CREATE INDEX payments_reference_trgm ON payments USING gin (reference gin_trgm_ops);
CREATE INDEX payments_received ON payments (received_on, account_id, payment_id);
"""

DOWNGRADE = """
DROP INDEX accounts_name_trgm, accounts_id_trgm, accounts_by_name, open_items_policy,
    open_items_due, payments_reference_trgm, payments_received;
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    run_script(DOWNGRADE)

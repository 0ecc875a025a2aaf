"""Cash schema: imported files (kept whole), statement lines, the account directory
followed from the ledger's events, and the consumer framework's tables (eventfeed).
"""

from cash.migrations import run_script
from eventfeed.schema import create_tables_sql

revision = "0001"
down_revision = None

SCHEMA = """
CREATE TABLE imports (
    file_id     text PRIMARY KEY,          -- SHA-256 of the bytes
    format      text NOT NULL,
    filename    text NOT NULL,
    raw         bytea NOT NULL,
    imported_at timestamptz NOT NULL,
    imported_by text NOT NULL,
    lines       integer NOT NULL,
    new_lines   integer NOT NULL
);

CREATE TABLE lines (
    line_id       text PRIMARY KEY,        -- from bank account + entry reference
    file_id       text NOT NULL REFERENCES imports,
    line_no       integer NOT NULL,
    bank_account  text NOT NULL,
    entry_ref     text NOT NULL,
    direction     text NOT NULL CHECK (direction IN ('credit', 'debit')),
    amount        bigint NOT NULL CHECK (amount >= 0),
    currency      text NOT NULL,
    value_date    date NOT NULL,
    booking_date  date,
    payer_name    text NOT NULL,
    remittance    text NOT NULL,
    end_to_end_id text NOT NULL,
    return_code   text NOT NULL,
    original_ref  text NOT NULL,
    status        text NOT NULL CHECK (status IN
                  ('new', 'posting', 'matched', 'review', 'refunded', 'returned', 'return',
                   'ignored')),
    score         integer,
    account_id    text,
    postings      jsonb NOT NULL DEFAULT '[]',
    suggestions   jsonb NOT NULL DEFAULT '[]',
    note          text NOT NULL DEFAULT '',
    decided_by    text,
    updated_at    timestamptz,
    UNIQUE (bank_account, entry_ref)
);
CREATE INDEX lines_file ON lines (file_id, line_id);
CREATE INDEX lines_status ON lines (status, line_id);
CREATE INDEX lines_e2e ON lines (end_to_end_id) WHERE end_to_end_id <> '';

CREATE TABLE directory_accounts (
    account_id   text PRIMARY KEY,
    name         text NOT NULL,
    currency     text NOT NULL,
    jurisdiction text NOT NULL
);
CREATE INDEX directory_accounts_currency ON directory_accounts (currency);

CREATE TABLE directory_refs (
    ref_key    text NOT NULL,              -- upper-cased invoice or policy id
    account_id text NOT NULL,
    PRIMARY KEY (ref_key, account_id)
);
"""


def upgrade() -> None:
    run_script(SCHEMA + create_tables_sql())

"""Commission schema: brokers, bank details, agreements, invoice books, entries, statements,
and the consumer framework's tables (eventfeed).
"""

from commission.migrations import run_script
from eventfeed.schema import create_tables_sql

revision = "0001"
down_revision = None

SCHEMA = """
CREATE TABLE brokers (
    broker_id     text PRIMARY KEY,
    name          text NOT NULL,
    jurisdiction  text NOT NULL,
    tax_id        text,
    contact_email text,
    registered_at timestamptz NOT NULL,
    request       jsonb NOT NULL
);

CREATE TABLE bank_changes (
    change_id    text PRIMARY KEY,
    broker_id    text NOT NULL REFERENCES brokers,
    details      jsonb NOT NULL,
    status       text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL,
    decided_by   text,
    decided_at   timestamptz,
    note         text
);
CREATE INDEX bank_changes_broker ON bank_changes (broker_id, requested_at);

CREATE TABLE agreements (
    agreement_id   text PRIMARY KEY,
    broker_id      text NOT NULL REFERENCES brokers,
    effective_from date NOT NULL,
    basis          text NOT NULL CHECK (basis IN ('collection', 'billing')),
    rates          jsonb NOT NULL,
    recorded_at    timestamptz NOT NULL,
    request        jsonb NOT NULL
);
CREATE INDEX agreements_broker ON agreements (broker_id, effective_from);

-- Derived from ledger events (dropped and rebuilt by `commission replay`).
CREATE TABLE invoice_books (
    account_id text NOT NULL,
    invoice_id text NOT NULL,
    currency   text NOT NULL,
    issue_date date NOT NULL,
    lines      jsonb NOT NULL,
    collected  bigint NOT NULL,
    billed     bigint NOT NULL,
    PRIMARY KEY (account_id, invoice_id)
);

CREATE TABLE entries (
    event_id     uuid NOT NULL,
    account_id   text NOT NULL,
    invoice_id   text NOT NULL,
    line_no      integer NOT NULL,
    position     bigint NOT NULL,
    broker_id    text NOT NULL,
    currency     text NOT NULL,
    entry_date   date NOT NULL,
    event_type   text NOT NULL,
    basis        text NOT NULL,
    rate         numeric(9, 6) NOT NULL,
    premium      bigint NOT NULL,
    amount       bigint NOT NULL CHECK (amount <> 0),
    product      text,
    policy_id    text,
    policy_year  integer,
    agreement_id text,
    PRIMARY KEY (event_id, account_id, invoice_id, line_no)
);
CREATE INDEX entries_broker_date ON entries (broker_id, entry_date);

-- Settlement (kept across replays: entries are linked by their natural key).
CREATE TABLE settlement_runs (
    period     text PRIMARY KEY,
    settled_at timestamptz NOT NULL,
    statements integer NOT NULL
);

CREATE TABLE statements (
    statement_id   text PRIMARY KEY,
    broker_id      text NOT NULL,
    period         text NOT NULL REFERENCES settlement_runs,
    currency       text NOT NULL,
    opening        bigint NOT NULL,
    accruals       bigint NOT NULL,
    clawbacks      bigint NOT NULL,
    entry_count    integer NOT NULL,
    created_at     timestamptz NOT NULL,
    paid_reference text,
    paid_on        date,
    paid_by        text,
    UNIQUE (broker_id, period, currency)
);

CREATE TABLE statement_entries (
    event_id     uuid NOT NULL,
    account_id   text NOT NULL,
    invoice_id   text NOT NULL,
    line_no      integer NOT NULL,
    statement_id text NOT NULL REFERENCES statements,
    PRIMARY KEY (event_id, account_id, invoice_id, line_no)
);
CREATE INDEX statement_entries_statement ON statement_entries (statement_id);
"""


def upgrade() -> None:
    run_script(SCHEMA + create_tables_sql())

"""Dunning's tables: receivables projection, dunning state, outbox, notices, fees, credit."""

from __future__ import annotations

from dunning.migrations import run_script
from eventfeed.schema import create_tables_sql

revision = "0001"
down_revision = None

DDL = """
CREATE TABLE receivables (
    account_id   text PRIMARY KEY,
    jurisdiction text NOT NULL,
    currency     text NOT NULL,
    doc          jsonb NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE receivables IS
    'Projection of the ledger''s events (open items, payments); rebuilt by dunning replay';

CREATE TABLE dunning_accounts (
    account_id    text PRIMARY KEY,
    jurisdiction  text NOT NULL,
    currency      text NOT NULL,
    level         integer NOT NULL DEFAULT 0,
    days_past_due integer NOT NULL DEFAULT 0,
    overdue       bigint NOT NULL DEFAULT 0,
    paused        boolean NOT NULL DEFAULT false,
    evaluated_on  date,
    doc           jsonb NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dunning_accounts_worklist ON dunning_accounts (jurisdiction, level);

CREATE TABLE profiles (
    account_id text PRIMARY KEY,
    email      text,
    language   text,
    segment    text,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dunning_events (
    seq            bigserial PRIMARY KEY,
    event_id       uuid NOT NULL UNIQUE,
    account_id     text NOT NULL,
    stream_version integer NOT NULL,
    event_type     text NOT NULL,
    schema_version integer NOT NULL,
    data           jsonb NOT NULL,
    occurred_on    date NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    published_at   timestamptz,
    UNIQUE (account_id, stream_version)
);
CREATE INDEX dunning_events_unpublished ON dunning_events (seq) WHERE published_at IS NULL;
COMMENT ON TABLE dunning_events IS
    'Every action of dunning (the account history) and the outbox of receivables.dunning.v1';

CREATE TABLE notices (
    notice_id   text PRIMARY KEY,
    account_id  text NOT NULL,
    event_id    uuid NOT NULL,
    kind        text NOT NULL,
    language    text NOT NULL,
    recipient   text,
    data        jsonb NOT NULL,
    status      text NOT NULL DEFAULT 'pending',
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text,
    delivered_via text,
    sent_at     timestamptz
);
CREATE INDEX notices_pending ON notices (notice_id) WHERE status = 'pending';

CREATE TABLE fee_postings (
    adjustment_id text PRIMARY KEY,
    account_id    text NOT NULL,
    amount        text NOT NULL,
    currency      text NOT NULL,
    effective_on  date NOT NULL,
    reason        text NOT NULL,
    status        text NOT NULL DEFAULT 'pending',
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    posted_at     timestamptz
);

CREATE TABLE contacts (
    account_id  text NOT NULL,
    contact_id  text NOT NULL,
    channel     text NOT NULL,
    outcome     text NOT NULL,
    note        text,
    contacted_on date NOT NULL,
    actor       text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, contact_id)
);

CREATE TABLE blacklist (
    account_id   text PRIMARY KEY,
    reason       text NOT NULL,
    jurisdiction text NOT NULL,
    added_by     text NOT NULL,
    added_on     date NOT NULL,
    expires_on   date,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dunning_runs (
    as_of       date PRIMARY KEY,
    runs        integer NOT NULL DEFAULT 1,
    accounts    integer NOT NULL,
    events      integer NOT NULL,
    first_at    timestamptz NOT NULL DEFAULT now(),
    last_at     timestamptz NOT NULL DEFAULT now()
);
"""


def upgrade() -> None:
    run_script(DDL + create_tables_sql())


def downgrade() -> None:
    raise NotImplementedError("dunning's first migration is not reversible")

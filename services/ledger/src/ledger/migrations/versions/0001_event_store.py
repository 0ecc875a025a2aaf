"""Event store, idempotency records and inline projections."""

from ledger.migrations import run_script

revision = "0001"
down_revision = None

# The role the service acts as (``SET ROLE`` through the connection's startup options):
# it may read and append events but never change or remove one.
WRITER = "ledger_writer"

UPGRADE = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WRITER}') THEN
        CREATE ROLE {WRITER} NOLOGIN;
    END IF;
END
$$;

CREATE TABLE events (
    position        bigint PRIMARY KEY,
    stream_id       text NOT NULL,
    version         integer NOT NULL CHECK (version > 0),
    event_id        uuid NOT NULL UNIQUE,
    event_type      text NOT NULL,
    schema_version  smallint NOT NULL,
    data            jsonb NOT NULL,
    effective_date  date NOT NULL,
    recorded_at     timestamptz NOT NULL,
    actor           text NOT NULL,
    correlation_id  uuid,
    causation_id    uuid,
    idempotency_key text,
    prev_hash       bytea,
    hash            bytea NOT NULL,
    UNIQUE (stream_id, version)
);
COMMENT ON COLUMN events.position IS
    'Global position: (transaction id << 16) + ordinal in the transaction. Readers only '
    'read below the oldest running transaction, so a later commit never lands behind them.';

CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only();

CREATE TABLE streams (
    stream_id     text PRIMARY KEY,
    version       integer NOT NULL,
    head_position bigint NOT NULL,
    head_hash     bytea NOT NULL
);

CREATE TABLE commands (
    account_id   text NOT NULL,
    command_type text NOT NULL,
    command_id   text NOT NULL,
    request_hash bytea NOT NULL,
    status_code  smallint NOT NULL,
    response     json NOT NULL,  -- json keeps the text: a replay is byte-identical
    recorded_at  timestamptz NOT NULL,
    PRIMARY KEY (account_id, command_type, command_id)
);

CREATE TABLE accounts (
    account_id         text PRIMARY KEY,
    name               text NOT NULL,
    currency           char(3) NOT NULL,
    jurisdiction       text NOT NULL,
    credit_limit       bigint NOT NULL,
    payment_terms_days integer NOT NULL,
    broker_id          text,
    status             text NOT NULL,
    opened_on          date NOT NULL,
    version            integer NOT NULL,
    invoiced           bigint NOT NULL,
    received           bigint NOT NULL,
    reversed           bigint NOT NULL,
    credited           bigint NOT NULL,
    adjusted           bigint NOT NULL,
    written_off        bigint NOT NULL,
    recovered          bigint NOT NULL,
    refunded           bigint NOT NULL,
    open               bigint NOT NULL,
    unapplied          bigint NOT NULL,
    CHECK (open >= 0 AND unapplied >= 0)
);
CREATE INDEX accounts_jurisdiction ON accounts (jurisdiction, currency);

CREATE TABLE open_items (
    account_id     text NOT NULL,
    item_id        text NOT NULL,
    kind           text NOT NULL,
    issue_date     date NOT NULL,
    due_date       date NOT NULL,
    amount         bigint NOT NULL,
    adjusted       bigint NOT NULL,
    credited       bigint NOT NULL,
    written_off    bigint NOT NULL,
    recovered      bigint NOT NULL,
    paid           bigint NOT NULL,
    open_amount    bigint NOT NULL,
    status         text NOT NULL,
    disputed       boolean NOT NULL,
    dispute_reason text,
    policy_id      text,
    broker_id      text,
    allocations    jsonb NOT NULL,
    PRIMARY KEY (account_id, item_id),
    CHECK (open_amount >= 0),
    CHECK (paid >= 0 AND paid <= amount + adjusted - credited)
);
CREATE INDEX open_items_open ON open_items (account_id, due_date) WHERE open_amount <> 0;

CREATE TABLE payments (
    account_id  text NOT NULL,
    payment_id  text NOT NULL,
    amount      bigint NOT NULL,
    received_on date NOT NULL,
    method      text NOT NULL,
    reference   text,
    allocations jsonb NOT NULL,
    refunded    bigint NOT NULL,
    reversed    boolean NOT NULL,
    unapplied   bigint NOT NULL,
    PRIMARY KEY (account_id, payment_id),
    CHECK (amount > 0 AND unapplied >= 0 AND unapplied <= amount)
);
CREATE INDEX payments_unapplied ON payments (account_id) WHERE unapplied > 0;

CREATE TABLE journal (
    position       bigint NOT NULL,
    line_no        smallint NOT NULL,
    account_id     text NOT NULL,
    item_id        text,
    ledger_account text NOT NULL,
    amount         bigint NOT NULL,
    currency       char(3) NOT NULL,
    effective_date date NOT NULL,
    recorded_at    timestamptz NOT NULL,
    event_type     text NOT NULL,
    PRIMARY KEY (position, line_no)
);
CREATE INDEX journal_account ON journal (account_id, effective_date);
CREATE INDEX journal_effective ON journal (effective_date);

REVOKE ALL ON events FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO {WRITER};
GRANT SELECT, INSERT ON events TO {WRITER};
GRANT SELECT, INSERT, UPDATE ON streams TO {WRITER};
GRANT SELECT, INSERT ON commands TO {WRITER};
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON accounts, open_items, payments, journal
    TO {WRITER};
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    raise NotImplementedError("the event store is never dropped by a migration")

"""Billing's tables: policy events (also the outbox), documents, billed lines, runs."""

from __future__ import annotations

from billing.migrations import run_script

revision = "0001"
down_revision = None

DDL = """
CREATE TABLE policies (
    policy_id      text PRIMARY KEY,
    account_id     text NOT NULL,
    currency       text NOT NULL,
    status         text NOT NULL,
    version        integer NOT NULL,
    billed_version integer NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE policies IS 'One row per policy: its stream version (locked by every change)';

CREATE TABLE policy_events (
    seq            bigserial PRIMARY KEY,
    event_id       uuid NOT NULL UNIQUE,
    policy_id      text NOT NULL REFERENCES policies (policy_id),
    version        integer NOT NULL,
    event_type     text NOT NULL,
    schema_version integer NOT NULL,
    data           jsonb NOT NULL,
    actor          text NOT NULL,
    account_id     text NOT NULL,
    recorded_at    timestamptz NOT NULL,
    published_at   timestamptz,
    UNIQUE (policy_id, version)
);
CREATE INDEX policy_events_unpublished ON policy_events (seq) WHERE published_at IS NULL;

CREATE FUNCTION policy_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (NEW.event_id, NEW.policy_id, NEW.version, NEW.event_type,
            NEW.schema_version, NEW.data, NEW.actor, NEW.recorded_at)
            IS DISTINCT FROM (OLD.event_id, OLD.policy_id, OLD.version, OLD.event_type,
            OLD.schema_version, OLD.data, OLD.actor, OLD.recorded_at) THEN
        RAISE EXCEPTION 'policy events are append-only (only published_at may be set)';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER policy_events_append_only BEFORE UPDATE OR DELETE ON policy_events
    FOR EACH ROW EXECUTE FUNCTION policy_events_append_only();

CREATE TABLE documents (
    seq          bigserial PRIMARY KEY,
    document_id  text NOT NULL UNIQUE,
    policy_id    text NOT NULL REFERENCES policies (policy_id),
    account_id   text NOT NULL,
    invoice_id   text NOT NULL,
    kind         text NOT NULL,
    period_start date NOT NULL,
    period_end   date NOT NULL,
    issued_on    date NOT NULL,
    due_date     date,
    amount       bigint NOT NULL,
    currency     text NOT NULL,
    reason       text,
    lines        jsonb NOT NULL,
    request      jsonb,
    status       text NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text,
    run_id       text,
    created_at   timestamptz NOT NULL,
    posted_at    timestamptz
);
CREATE INDEX documents_policy ON documents (policy_id, period_start);
CREATE INDEX documents_pending ON documents (seq) WHERE status = 'pending';
COMMENT ON TABLE documents IS
    'Invoices and notes sent to the ledger; pending until the ledger accepted them';

CREATE TABLE billed_lines (
    document_id  text NOT NULL REFERENCES documents (document_id),
    policy_id    text NOT NULL,
    period_start date NOT NULL,
    product      text NOT NULL,
    kind         text NOT NULL,
    tier         text NOT NULL,
    member_id    text NOT NULL,
    amount       bigint NOT NULL
);
CREATE INDEX billed_lines_policy ON billed_lines (policy_id, period_start);
CREATE INDEX billed_lines_document ON billed_lines (document_id);

CREATE TABLE billing_runs (
    run_id          text PRIMARY KEY,
    as_of           date NOT NULL,
    status          text NOT NULL,
    actor           text NOT NULL,
    policies_total  integer NOT NULL DEFAULT 0,
    policies_done   integer NOT NULL DEFAULT 0,
    summary         jsonb NOT NULL DEFAULT '{}',
    error           text,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz
);
"""


def upgrade() -> None:
    run_script(DDL)


def downgrade() -> None:
    raise NotImplementedError("billing's first migration is not reversible")

"""Auto-debit: mandates (their events, append-only, and the current state), collection
runs, their debits and the files they produced.
"""

from cash.migrations import run_script

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    run_script(
        """
        CREATE TABLE mandate_events (
            seq          bigserial PRIMARY KEY,
            mandate_id   text NOT NULL,
            version      integer NOT NULL,
            event_type   text NOT NULL,
            data         jsonb NOT NULL,
            actor        text NOT NULL,
            reason       text NOT NULL,
            recorded_at  timestamptz NOT NULL,
            UNIQUE (mandate_id, version)
        );
        CREATE FUNCTION mandate_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'mandate events are append-only';
        END $$;
        CREATE TRIGGER mandate_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
            ON mandate_events FOR EACH STATEMENT EXECUTE FUNCTION mandate_events_append_only();

        CREATE TABLE mandates (
            mandate_id   text PRIMARY KEY,
            account_id   text NOT NULL,
            currency     text NOT NULL,
            jurisdiction text NOT NULL,
            scheme       text NOT NULL,
            signed_on    date NOT NULL,
            debtor_name  text NOT NULL,
            iban         text,
            bic          text,
            partner      text,
            bank_account text,
            status       text NOT NULL,
            version      integer NOT NULL,
            updated_at   timestamptz NOT NULL
        );
        CREATE UNIQUE INDEX mandates_one_active ON mandates (account_id)
            WHERE status = 'active';
        CREATE INDEX mandates_by_account ON mandates (account_id);

        CREATE TABLE collection_runs (
            run_id          text PRIMARY KEY,
            collection_date date NOT NULL UNIQUE,
            status          text NOT NULL,
            requested_by    text NOT NULL,
            requested_at    timestamptz NOT NULL,
            finished_at     timestamptz
        );
        CREATE TABLE collection_items (
            end_to_end_id text PRIMARY KEY,
            run_id        text NOT NULL REFERENCES collection_runs,
            mandate_id    text NOT NULL,
            account_id    text NOT NULL,
            invoice_id    text NOT NULL,
            due_date      date NOT NULL,
            amount        bigint NOT NULL CHECK (amount > 0),
            currency      text NOT NULL,
            scheme        text NOT NULL,
            signed_on     date NOT NULL,
            debtor_name   text NOT NULL,
            iban          text,
            bic           text,
            partner       text,
            bank_account  text,
            status        text NOT NULL,
            note          text NOT NULL DEFAULT '',
            return_code   text,
            returned_on   date,
            UNIQUE (account_id, invoice_id)
        );
        CREATE INDEX collection_items_by_run ON collection_items (run_id, end_to_end_id);
        CREATE TABLE collection_files (
            run_id     text NOT NULL REFERENCES collection_runs,
            name       text NOT NULL,
            media_type text NOT NULL,
            content    bytea NOT NULL,
            sha256     text NOT NULL,
            items      integer NOT NULL,
            PRIMARY KEY (run_id, name)
        );
        """
    )


def downgrade() -> None:
    run_script(
        """
        DROP TABLE collection_files, collection_items, collection_runs, mandates,
            mandate_events;
        DROP FUNCTION mandate_events_append_only();
        """
    )

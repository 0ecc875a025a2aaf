"""Tamper evidence without gaps, and stream heads that move only by appending.

- ``events.hash_scheme``: 1 for events hashed before the position was covered, 2 (every
  new event) when the hash also covers the global position.
- The stream head moves only when an event is appended: an ``AFTER INSERT`` trigger on
  ``events`` (owned by the migrating role, ``SECURITY DEFINER``) advances ``streams`` one
  version at a time, and only onto the event whose ``prev_hash`` is the current head.
  Nothing else may insert, update or delete a head: the writer role keeps only ``SELECT``
  and the column privilege ``SELECT ... FOR UPDATE`` needs, and a trigger refuses any
  change not made by the append trigger.
- ``stream_checkpoints``: signed, chained checkpoints of every stream's head (the heads
  changed since the previous checkpoint, with running totals of streams and events), so
  ``ledger verify`` notices a stream or a tail removed behind the service's back.
"""

from ledger.migrations import run_script

revision = "0004"
down_revision = "0003"

WRITER = "ledger_writer"

UPGRADE = f"""
ALTER TABLE events ADD COLUMN hash_scheme smallint NOT NULL DEFAULT 1;
ALTER TABLE events ALTER COLUMN hash_scheme SET DEFAULT 2;
COMMENT ON COLUMN events.hash_scheme IS
    '1: the hash covers the row but its position (events written before 0004); '
    '2: it covers the position too.';

CREATE FUNCTION events_move_stream_head() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.version = 1 THEN
        IF NEW.prev_hash IS NOT NULL THEN
            RAISE EXCEPTION 'stream %: the first event links to no previous hash', NEW.stream_id
                USING ERRCODE = 'check_violation';
        END IF;
        INSERT INTO streams (stream_id, version, head_position, head_hash)
        VALUES (NEW.stream_id, 1, NEW.position, NEW.hash);
    ELSE
        UPDATE streams
           SET version = NEW.version, head_position = NEW.position, head_hash = NEW.hash
         WHERE stream_id = NEW.stream_id AND version = NEW.version - 1
           AND head_hash = NEW.prev_hash;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'stream % is not at version % with the hash event % links to',
                NEW.stream_id, NEW.version - 1, NEW.version
                USING ERRCODE = 'unique_violation';
        END IF;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_move_stream_head AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_move_stream_head();

CREATE FUNCTION streams_move_only_by_append() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'stream heads move only by appending events: % is not allowed', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN coalesce(NEW, OLD);
END
$$;
CREATE TRIGGER streams_move_only_by_append BEFORE INSERT OR UPDATE OR DELETE ON streams
    FOR EACH ROW EXECUTE FUNCTION streams_move_only_by_append();
CREATE TRIGGER streams_no_truncate BEFORE TRUNCATE ON streams
    FOR EACH STATEMENT EXECUTE FUNCTION streams_move_only_by_append();

REVOKE ALL ON streams FROM {WRITER};
GRANT SELECT ON streams TO {WRITER};
GRANT UPDATE (stream_id) ON streams TO {WRITER};  -- for SELECT ... FOR UPDATE only

CREATE TABLE stream_checkpoints (
    seq         bigint PRIMARY KEY CHECK (seq > 0),
    taken_at    timestamptz NOT NULL,
    horizon     bigint NOT NULL,
    streams     bigint NOT NULL,
    events      bigint NOT NULL,
    heads       jsonb NOT NULL,
    prev_digest bytea,
    digest      bytea NOT NULL
);
COMMENT ON TABLE stream_checkpoints IS
    'Signed, chained checkpoints: every event below horizon is counted (events, streams) '
    'and each stream changed since the previous checkpoint has its head (version, hash).';
CREATE FUNCTION checkpoints_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'checkpoints are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON stream_checkpoints
    FOR EACH ROW EXECUTE FUNCTION checkpoints_are_append_only();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON stream_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION checkpoints_are_append_only();
REVOKE ALL ON stream_checkpoints FROM PUBLIC;
GRANT SELECT, INSERT ON stream_checkpoints TO {WRITER};
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    raise NotImplementedError("the event store's integrity rules are never dropped")

"""The stream heads move once per stream and statement instead of once per event.

0004's append trigger ran for each event row: a call of a PL/pgSQL function and an update
of the stream's head per event, about 9 us of PostgreSQL's CPU per event of a batch's COPY.
Its rules stay as they were, checked by an ``AFTER INSERT ... FOR EACH STATEMENT`` trigger
over the statement's new events (a transition table): each stream's new events, in version
order, each link to the one before (the next version, ``prev_hash`` its hash); the first of
them links to the stream's head (the head is at the version below, with that hash), or is
version 1 linking to no hash and makes the head (a stream that exists already collides on
its key); the head then moves once, onto the newest of them. Any break is refused with the
error codes 0004's trigger raised (``unique_violation``: a conflict the service retries or
reports; ``check_violation``: a first event linking to a hash), so the whole statement
writes nothing.

Revision ID: 0008
Revises: 0007
"""

from ledger.migrations import run_script

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE FUNCTION events_move_stream_heads() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    e record;
    stream text;  -- the stream of the run of events being read
    first_version integer;
    first_prev bytea;
    last_version integer;
    last_position bigint;
    last_hash bytea;
BEGIN
    -- each stream's new events in version order, then a row of no stream: the last run ends
    FOR e IN
        SELECT stream_id, version, position, hash, prev_hash FROM new_events
        UNION ALL SELECT NULL, NULL, NULL, NULL, NULL
        ORDER BY 1 NULLS LAST, 2
    LOOP
        IF e.stream_id IS NOT DISTINCT FROM stream THEN
            IF e.version <> last_version + 1 OR e.prev_hash IS DISTINCT FROM last_hash THEN
                RAISE EXCEPTION 'stream %: event % does not link to event %',
                    stream, e.version, last_version USING ERRCODE = 'unique_violation';
            END IF;
        ELSE
            IF stream IS NOT NULL THEN  -- the run of stream ends: move its head once
                IF first_version = 1 THEN
                    INSERT INTO streams (stream_id, version, head_position, head_hash)
                    VALUES (stream, last_version, last_position, last_hash);
                ELSE
                    UPDATE streams
                       SET version = last_version, head_position = last_position,
                           head_hash = last_hash
                     WHERE stream_id = stream AND version = first_version - 1
                       AND head_hash = first_prev;
                    IF NOT FOUND THEN
                        RAISE EXCEPTION
                            'stream % is not at version % with the hash event % links to',
                            stream, first_version - 1, first_version
                            USING ERRCODE = 'unique_violation';
                    END IF;
                END IF;
            END IF;
            EXIT WHEN e.stream_id IS NULL;
            IF e.version = 1 AND e.prev_hash IS NOT NULL THEN
                RAISE EXCEPTION 'stream %: the first event links to no previous hash', e.stream_id
                    USING ERRCODE = 'check_violation';
            END IF;
            stream := e.stream_id;
            first_version := e.version;
            first_prev := e.prev_hash;
        END IF;
        last_version := e.version;
        last_position := e.position;
        last_hash := e.hash;
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_move_stream_heads AFTER INSERT ON events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION events_move_stream_heads();
DROP TRIGGER events_move_stream_head ON events;
DROP FUNCTION events_move_stream_head();
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    raise NotImplementedError("the event store's integrity rules are never dropped")

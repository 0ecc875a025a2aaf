"""The consumer framework's tables, created by the consuming service's own migration.

Three tables, named ``<prefix>_processed``, ``<prefix>_checkpoints`` and
``<prefix>_dead_letters`` (default prefix ``eventfeed``); several consumers may share them
(every row names its consumer). In an Alembic migration::

    from eventfeed.schema import create_tables_sql
    op.execute(create_tables_sql(grant_to="dunning_app"))   # or run it as one script
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_PREFIX = "eventfeed"
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


@dataclass(frozen=True)
class Tables:
    """Names of the framework's tables for one prefix."""

    prefix: str = DEFAULT_PREFIX

    def __post_init__(self) -> None:
        if not _IDENT.match(self.prefix):
            raise ValueError(f"table prefix {self.prefix!r} must match {_IDENT.pattern}")

    @property
    def processed(self) -> str:
        return f"{self.prefix}_processed"

    @property
    def checkpoints(self) -> str:
        return f"{self.prefix}_checkpoints"

    @property
    def dead_letters(self) -> str:
        return f"{self.prefix}_dead_letters"


def create_tables_sql(prefix: str = DEFAULT_PREFIX, *, grant_to: str | None = None) -> str:
    """DDL of the tables (idempotent: ``IF NOT EXISTS``), as one SQL script.

    ``grant_to``: a role the service runs as, given what the framework needs on them.
    """
    t = Tables(prefix)
    sql = f"""
CREATE TABLE IF NOT EXISTS {t.processed} (
    consumer     text NOT NULL,
    stream_id    text NOT NULL,
    version      integer NOT NULL,
    position     bigint NOT NULL,
    event_id     uuid NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, stream_id)
);
COMMENT ON TABLE {t.processed} IS
    'Last stream version each consumer processed per account: a redelivered event '
    '(version <= this) has no second effect.';

CREATE TABLE IF NOT EXISTS {t.checkpoints} (
    consumer   text PRIMARY KEY,
    position   bigint NOT NULL DEFAULT 0,
    processed  bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE {t.checkpoints} IS
    'HTTP-feed cursor (last processed global position) and a processed-event count.';

CREATE TABLE IF NOT EXISTS {t.dead_letters} (
    consumer    text NOT NULL,
    event_id    uuid NOT NULL,
    position    bigint NOT NULL,
    stream_id   text NOT NULL,
    version     integer NOT NULL,
    event_type  text NOT NULL,
    event       jsonb NOT NULL,
    error       text NOT NULL,
    attempts    integer NOT NULL DEFAULT 1,
    failed_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX IF NOT EXISTS {t.dead_letters}_open
    ON {t.dead_letters} (consumer, position) WHERE resolved_at IS NULL;
"""
    if grant_to:
        if not _IDENT.match(grant_to):
            raise ValueError(f"role {grant_to!r} must match {_IDENT.pattern}")
        sql += (
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {t.processed}, {t.checkpoints}, "
            f"{t.dead_letters} TO {grant_to};\n"
        )
    return sql


def drop_tables_sql(prefix: str = DEFAULT_PREFIX) -> str:
    t = Tables(prefix)
    return f"DROP TABLE IF EXISTS {t.dead_letters}, {t.checkpoints}, {t.processed};\n"

"""SQLAlchemy Core tables of dunning's database (the DDL is in the Alembic migration)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

receivables = Table(
    "receivables",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("jurisdiction", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("doc", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True)),
)

dunning_accounts = Table(
    "dunning_accounts",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("jurisdiction", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("level", Integer, nullable=False),
    Column("days_past_due", Integer, nullable=False),
    Column("overdue", BigInteger, nullable=False),
    Column("paused", Boolean, nullable=False),
    Column("evaluated_on", Date),
    Column("doc", JSONB, nullable=False),
    Column("updated_at", DateTime(timezone=True)),
)

profiles = Table(
    "profiles",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("email", Text),
    Column("language", Text),
    Column("segment", Text),
    Column("updated_at", DateTime(timezone=True)),
)

dunning_events = Table(
    "dunning_events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("account_id", Text, nullable=False),
    Column("stream_version", Integer, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("data", JSONB, nullable=False),
    Column("occurred_on", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True)),
    Column("published_at", DateTime(timezone=True)),
)

notices = Table(
    "notices",
    metadata,
    Column("notice_id", Text, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("recipient", Text),
    Column("data", JSONB, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("delivered_via", Text),
    Column("sent_at", DateTime(timezone=True)),
)

fee_postings = Table(
    "fee_postings",
    metadata,
    Column("adjustment_id", Text, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("amount", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("posted_at", DateTime(timezone=True)),
)

contacts = Table(
    "contacts",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("contact_id", Text, primary_key=True),
    Column("channel", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("note", Text),
    Column("contacted_on", Date, nullable=False),
    Column("actor", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True)),
)

blacklist = Table(
    "blacklist",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("reason", Text, nullable=False),
    Column("jurisdiction", Text, nullable=False),
    Column("added_by", Text, nullable=False),
    Column("added_on", Date, nullable=False),
    Column("expires_on", Date),
    Column("recorded_at", DateTime(timezone=True)),
)

dunning_runs = Table(
    "dunning_runs",
    metadata,
    Column("as_of", Date, primary_key=True),
    Column("runs", Integer, nullable=False),
    Column("accounts", Integer, nullable=False),
    Column("events", Integer, nullable=False),
    Column("first_at", DateTime(timezone=True)),
    Column("last_at", DateTime(timezone=True)),
    Column("actions", JSONB, nullable=False),
    Column("without_policy", Integer, nullable=False),
    Column("last_run", Uuid),
)

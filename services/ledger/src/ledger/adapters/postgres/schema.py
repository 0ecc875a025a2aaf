"""SQLAlchemy Core tables of the ledger database.

The migrations in ``ledger/migrations`` create these; this module is what queries use.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSON, JSONB, UUID

metadata = MetaData()

# The event store: append-only, hash-chained per stream.
events = Table(
    "events",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("stream_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("event_type", Text, nullable=False),
    Column("schema_version", SmallInteger, nullable=False),
    Column("data", JSONB, nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("correlation_id", UUID(as_uuid=True)),
    Column("causation_id", UUID(as_uuid=True)),
    Column("idempotency_key", Text),
    Column("prev_hash", LargeBinary),
    Column("hash", LargeBinary, nullable=False),
    Column("hash_scheme", SmallInteger, nullable=False),
)

streams = Table(
    "streams",
    metadata,
    Column("stream_id", Text, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("head_position", BigInteger, nullable=False),
    Column("head_hash", LargeBinary, nullable=False),
)

stream_checkpoints = Table(
    "stream_checkpoints",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("horizon", BigInteger, nullable=False),
    Column("streams", BigInteger, nullable=False),
    Column("events", BigInteger, nullable=False),
    Column("heads", JSONB, nullable=False),
    Column("prev_digest", LargeBinary),
    Column("digest", LargeBinary, nullable=False),
)

commands = Table(
    "commands",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("command_type", Text, primary_key=True),
    Column("command_id", Text, primary_key=True),
    Column("request_hash", LargeBinary, nullable=False),
    Column("status_code", SmallInteger, nullable=False),
    Column("response", JSON, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("jurisdiction", Text, nullable=False),
    Column("credit_limit", BigInteger, nullable=False),
    Column("payment_terms_days", Integer, nullable=False),
    Column("broker_id", Text),
    Column("status", Text, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("version", Integer, nullable=False),
    Column("invoiced", BigInteger, nullable=False),
    Column("received", BigInteger, nullable=False),
    Column("reversed", BigInteger, nullable=False),
    Column("credited", BigInteger, nullable=False),
    Column("adjusted", BigInteger, nullable=False),
    Column("written_off", BigInteger, nullable=False),
    Column("recovered", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False),
    Column("open", BigInteger, nullable=False),
    Column("unapplied", BigInteger, nullable=False),
    Column("pending", JSONB, nullable=False),  # request id -> request awaiting approval
)

open_items = Table(
    "open_items",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("item_id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("adjusted", BigInteger, nullable=False),
    Column("credited", BigInteger, nullable=False),
    Column("written_off", BigInteger, nullable=False),
    Column("recovered", BigInteger, nullable=False),
    Column("paid", BigInteger, nullable=False),
    Column("open_amount", BigInteger, nullable=False),
    Column("status", Text, nullable=False),
    Column("disputed", Boolean, nullable=False),
    Column("dispute_reason", Text),
    Column("policy_id", Text),
    Column("broker_id", Text),
    Column("allocations", JSONB, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("payment_id", Text, primary_key=True),
    Column("amount", BigInteger, nullable=False),
    Column("received_on", Date, nullable=False),
    Column("method", Text, nullable=False),
    Column("reference", Text),
    Column("allocations", JSONB, nullable=False),
    Column("refunded", BigInteger, nullable=False),
    Column("reversed", Boolean, nullable=False),
    Column("unapplied", BigInteger, nullable=False),
)

journal = Table(
    "journal",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("line_no", SmallInteger, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("item_id", Text),
    Column("ledger_account", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("effective_date", Date, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("event_type", Text, nullable=False),
)

PROJECTION_TABLES = (accounts, open_items, payments, journal)

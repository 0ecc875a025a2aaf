"""SQLAlchemy Core tables of billing's database (the DDL is in the Alembic migration)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Integer, MetaData, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

policies = Table(
    "policies",
    metadata,
    Column("policy_id", Text, primary_key=True),
    Column("account_id", Text, nullable=False),
    Column("currency", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("billed_version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True)),
)

policy_events = Table(
    "policy_events",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("policy_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("data", JSONB, nullable=False),
    Column("actor", Text, nullable=False),
    Column("account_id", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True)),
)

documents = Table(
    "documents",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("document_id", Text, nullable=False),
    Column("policy_id", Text, nullable=False),
    Column("account_id", Text, nullable=False),
    Column("invoice_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("due_date", Date),
    Column("amount", BigInteger, nullable=False),
    Column("currency", Text, nullable=False),
    Column("reason", Text),
    Column("lines", JSONB, nullable=False),
    Column("request", JSONB),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("run_id", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("posted_at", DateTime(timezone=True)),
)

billed_lines = Table(
    "billed_lines",
    metadata,
    Column("document_id", Text, nullable=False),
    Column("policy_id", Text, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("product", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("tier", Text, nullable=False),
    Column("member_id", Text, nullable=False),
    Column("amount", BigInteger, nullable=False),
)

billing_runs = Table(
    "billing_runs",
    metadata,
    Column("run_id", Text, primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("policies_total", Integer, nullable=False),
    Column("policies_done", Integer, nullable=False),
    Column("summary", JSONB, nullable=False),
    Column("error", Text),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
)

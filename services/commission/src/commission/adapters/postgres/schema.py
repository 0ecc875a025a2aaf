"""SQLAlchemy Core tables of the commission database (DDL: migrations/versions)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

brokers = Table(
    "brokers",
    metadata,
    Column("broker_id", Text, primary_key=True),
    Column("name", Text),
    Column("jurisdiction", Text),
    Column("tax_id", Text),
    Column("contact_email", Text),
    Column("registered_at", DateTime(timezone=True)),
    Column("request", JSONB),
)

bank_changes = Table(
    "bank_changes",
    metadata,
    Column("change_id", Text, primary_key=True),
    Column("broker_id", Text),
    Column("details", JSONB),
    Column("status", Text),
    Column("requested_by", Text),
    Column("requested_at", DateTime(timezone=True)),
    Column("decided_by", Text),
    Column("decided_at", DateTime(timezone=True)),
    Column("note", Text),
)

agreements = Table(
    "agreements",
    metadata,
    Column("agreement_id", Text, primary_key=True),
    Column("broker_id", Text),
    Column("effective_from", Date),
    Column("basis", Text),
    Column("rates", JSONB),
    Column("recorded_at", DateTime(timezone=True)),
    Column("request", JSONB),
)

invoice_books = Table(
    "invoice_books",
    metadata,
    Column("account_id", Text, primary_key=True),
    Column("invoice_id", Text, primary_key=True),
    Column("currency", Text),
    Column("issue_date", Date),
    Column("lines", JSONB),
    Column("collected", BigInteger),
    Column("billed", BigInteger),
)

entries = Table(
    "entries",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("account_id", Text, primary_key=True),
    Column("invoice_id", Text, primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("position", BigInteger),
    Column("broker_id", Text),
    Column("currency", Text),
    Column("entry_date", Date),
    Column("event_type", Text),
    Column("basis", Text),
    Column("rate", Numeric(9, 6)),
    Column("premium", BigInteger),
    Column("amount", BigInteger),
    Column("product", Text),
    Column("policy_id", Text),
    Column("policy_year", Integer),
    Column("agreement_id", Text),
)

settlement_runs = Table(
    "settlement_runs",
    metadata,
    Column("period", Text, primary_key=True),
    Column("settled_at", DateTime(timezone=True)),
    Column("statements", Integer),
)

statements = Table(
    "statements",
    metadata,
    Column("statement_id", Text, primary_key=True),
    Column("broker_id", Text),
    Column("period", Text),
    Column("currency", Text),
    Column("opening", BigInteger),
    Column("accruals", BigInteger),
    Column("clawbacks", BigInteger),
    Column("entry_count", Integer),
    Column("created_at", DateTime(timezone=True)),
    Column("paid_reference", Text),
    Column("paid_on", Date),
    Column("paid_by", Text),
)

statement_entries = Table(
    "statement_entries",
    metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("account_id", Text, primary_key=True),
    Column("invoice_id", Text, primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("statement_id", Text),
)

ENTRY_KEY = ("event_id", "account_id", "invoice_id", "line_no")

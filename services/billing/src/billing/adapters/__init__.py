"""Adapters: PostgreSQL, the ledger over HTTP, Kafka, the HTTP API, member files."""

"""Billing's own database: policy events (the outbox too), billed lines, documents, runs."""

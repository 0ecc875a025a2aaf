"""The HTTP API of the billing service."""

"""API keys of service-to-service callers (argon2 hashes; ``billing api-keys``)."""

from servicekit.migrations import api_keys_downgrade as downgrade
from servicekit.migrations import api_keys_upgrade as upgrade

__all__ = ["downgrade", "upgrade"]  # what Alembic runs

revision = "0002"
down_revision = "0001"

"""API keys of service-to-service callers (argon2 hashes; ``ledger api-keys``)."""

from servicekit.migrations import api_keys_downgrade as downgrade
from servicekit.migrations import create_api_keys

__all__ = ["downgrade", "upgrade"]  # what Alembic runs

revision = "0005"
down_revision = "0004"

WRITER = "ledger_writer"


def upgrade() -> None:
    create_api_keys(version=1, grant_to=WRITER)

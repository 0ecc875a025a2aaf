"""Local infrastructure for development and tests (see README "Development").

- :mod:`devstack.postgres` -- embedded PostgreSQL server, URL and database helpers
- :mod:`devstack.kafka` -- Tansu (Kafka-compatible) broker process
- :mod:`devstack.pytest_plugin` -- ``pg_admin_url``, ``make_database``, ``kafka_broker``
- :mod:`devstack.testing` -- ``running`` (background workers for a block), ``wait_for``
- :mod:`devstack.run` -- the ``make run`` supervisor (``python -m devstack run``)
"""

from devstack.kafka import KafkaBroker
from devstack.pgurl import asyncpg_url, database_name, libpq_url
from devstack.postgres import EmbeddedPostgres, create_database, database_exists, drop_database

__all__ = [
    "EmbeddedPostgres",
    "KafkaBroker",
    "asyncpg_url",
    "create_database",
    "database_exists",
    "database_name",
    "drop_database",
    "libpq_url",
]

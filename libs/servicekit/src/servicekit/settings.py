"""Settings shared by the services: a database URL in any of the usual spellings, the
database block (URL and pool) and the consumer's readiness bounds, each read under the
service's own env prefix (``BILLING_DATABASE_URL``, ``DUNNING_READY_MAX_LAG`` ...).

Operators copy URLs from psql, libpq or their hosting provider (``postgresql://``,
``postgres://``); the services talk to PostgreSQL through SQLAlchemy's asyncpg driver.
``DatabaseUrl`` accepts those plain forms and the SQLAlchemy form and hands the service
``postgresql+asyncpg://...`` with the rest of the URL untouched. Another driver
(``postgresql+psycopg2://``) or another database is refused when the settings load.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_settings import BaseSettings

ASYNC_SCHEME = "postgresql+asyncpg"
_PLAIN = ("postgresql", "postgres", ASYNC_SCHEME)


def async_database_url(url: str) -> str:
    """``url`` in SQLAlchemy's asyncpg form; empty stays empty (the service's default)."""
    if not url:
        return url
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in _PLAIN:
        raise ValueError(
            "a PostgreSQL URL: postgresql://, postgres:// or postgresql+asyncpg://"
            f" (not {scheme or url!r}://)"
        )
    return f"{ASYNC_SCHEME}://{rest}"


DatabaseUrl = Annotated[str, AfterValidator(async_database_url)]


class DatabaseSettings(BaseSettings):
    """The service's own database: its URL and the size of its connection pool."""

    database_url: DatabaseUrl = Field(
        default="",
        description="SQLAlchemy URL of the service's own database (postgresql+asyncpg://; "
        "postgresql:// and postgres:// are taken too)",
    )
    db_pool_size: int = Field(default=10, ge=1)

    def required_database_url(self) -> str:
        """The URL, or exit naming the variable to set."""
        if not self.database_url:
            name = f"{self.model_config.get('env_prefix', '')}DATABASE_URL"
            raise SystemExit(
                f"{name} is not set; `make run` starts an embedded PostgreSQL and sets it for you"
            )
        return self.database_url


class ConsumerLagSettings(BaseSettings):
    """How far behind the ledger a consuming service may fall and still answer ready."""

    ready_max_lag_seconds: float = Field(
        default=30.0,
        ge=0,
        description="/readyz fails while the consumer is further behind the ledger than this "
        "(seconds between the newest event it processed and now, while events wait)",
    )
    ready_max_lag: int | None = Field(
        default=None, ge=0, description="/readyz also fails above this many events behind"
    )

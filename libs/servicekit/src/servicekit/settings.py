"""Settings shared by the services: a database URL in any of the usual spellings.

Operators copy URLs from psql, libpq or their hosting provider (``postgresql://``,
``postgres://``); the services talk to PostgreSQL through SQLAlchemy's asyncpg driver.
``DatabaseUrl`` accepts those plain forms and the SQLAlchemy form and hands the service
``postgresql+asyncpg://...`` with the rest of the URL untouched. Another driver
(``postgresql+psycopg2://``) or another database is refused when the settings load.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

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

"""PostgreSQL connection URLs in the two shapes this repository uses.

* libpq form, ``postgresql://user@host:port/db`` -- what ``psql`` and ``asyncpg.connect`` take.
  An embedded server listens on a unix socket only; its URL names the socket *directory*
  in the query: ``postgresql://postgres@/postgres?host=/path/to/socket/dir``.
* SQLAlchemy asyncpg form, ``postgresql+asyncpg://...`` -- what the services read from
  ``LEDGER_DATABASE_URL`` and friends. Same netloc and query, another scheme.

The helpers accept either form (and ``postgres://``), so any URL can be turned into the other.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def _checked(url: str) -> tuple[str, str, str, str]:
    parts = urlsplit(url)
    base = parts.scheme.split("+", 1)[0]
    if base not in ("postgresql", "postgres"):
        raise ValueError(f"not a PostgreSQL URL: {redact(url)}")
    return parts.scheme, parts.netloc, parts.path, parts.query


def _netloc_without_empty_password(netloc: str) -> str:
    if "@" not in netloc:
        return netloc
    userinfo, hostport = netloc.rsplit("@", 1)
    if userinfo.endswith(":"):
        userinfo = userinfo[:-1]
    return f"{userinfo}@{hostport}"


def database_name(url: str) -> str:
    """The database a URL points at (libpq's default: the user name, else ``postgres``)."""
    _, netloc, path, _ = _checked(url)
    name = unquote(path.lstrip("/"))
    if name:
        return name
    user = netloc.rsplit("@", 1)[0].split(":", 1)[0] if "@" in netloc else ""
    return unquote(user) or "postgres"


def with_database(url: str, database: str | None = None, *, driver: str | None = None) -> str:
    """Rebuild `url` for another database and/or SQLAlchemy driver (None: plain libpq form)."""
    _, netloc, _, query = _checked(url)
    name = database if database is not None else database_name(url)
    scheme = f"postgresql+{driver}" if driver else "postgresql"
    path = "/" + quote(name, safe="")
    return urlunsplit((scheme, _netloc_without_empty_password(netloc), path, query, ""))


def libpq_url(url: str, database: str | None = None) -> str:
    """``postgresql://...`` form of `url` (for asyncpg.connect, psql), optionally another db."""
    return with_database(url, database)


def asyncpg_url(url: str, database: str | None = None) -> str:
    """SQLAlchemy ``postgresql+asyncpg://...`` form of `url`, optionally for another database.

    >>> asyncpg_url("postgresql://postgres@/postgres?host=/tmp/pg", "ledger")
    'postgresql+asyncpg://postgres@/ledger?host=/tmp/pg'
    """
    return with_database(url, database, driver="asyncpg")


def with_user(url: str, user: str, password: str | None = None) -> str:
    """`url` logging in as another role (same server, database and driver)."""
    scheme, netloc, path, query = _checked(url)
    hostport = netloc.rsplit("@", 1)[1] if "@" in netloc else netloc
    userinfo = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
    return urlunsplit((scheme, f"{userinfo}@{hostport}", path, query, ""))


def redact(url: str) -> str:
    """`url` with any password replaced by ``***``, for log lines."""
    parts = urlsplit(url)
    if parts.password is None or "@" not in parts.netloc:
        return url
    userinfo, hostport = parts.netloc.rsplit("@", 1)
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostport}"))


def check_identifier(name: str) -> str:
    """Return `name` if it is a plain SQL identifier usable as a database name, else raise."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(
            f"invalid database name {name!r}: use letters, digits and _ (max 63, not digit-first)"
        )
    return name

import pytest

from devstack.pgurl import asyncpg_url, check_identifier, database_name, libpq_url, redact

SOCKET_URL = "postgresql://postgres:@/postgres?host=/tmp/pg%20data"


def test_socket_url_becomes_asyncpg_url_for_another_database() -> None:
    assert asyncpg_url(SOCKET_URL, "ledger") == (
        "postgresql+asyncpg://postgres@/ledger?host=/tmp/pg%20data"
    )


def test_tcp_url_keeps_credentials_host_and_port() -> None:
    url = "postgresql+asyncpg://app:s3cret@db.internal:6432/ledger"
    assert libpq_url(url) == "postgresql://app:s3cret@db.internal:6432/ledger"
    assert asyncpg_url(url, "dunning") == "postgresql+asyncpg://app:s3cret@db.internal:6432/dunning"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("postgresql://postgres@127.0.0.1:5432/postgres", "postgres"),
        ("postgres://u@h/my_db?sslmode=disable", "my_db"),
        ("postgresql://alice@h", "alice"),
        ("postgresql://h", "postgres"),
    ],
)
def test_database_name(url: str, name: str) -> None:
    assert database_name(url) == name


def test_rejects_other_schemes() -> None:
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        asyncpg_url("mysql://root:pw@h/db")


def test_redact_hides_password_only() -> None:
    assert redact("postgresql://app:s3cret@h:5432/db") == "postgresql://app:***@h:5432/db"
    assert redact("postgresql://postgres@/db?host=/s") == "postgresql://postgres@/db?host=/s"


@pytest.mark.parametrize("name", ["1abc", "a-b", 'x"; DROP', "", "a" * 64])
def test_rejects_unsafe_database_names(name: str) -> None:
    with pytest.raises(ValueError, match="invalid database name"):
        check_identifier(name)

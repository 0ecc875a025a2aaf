"""A database URL is accepted as psql, libpq or SQLAlchemy spell it, and fixed to asyncpg."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from servicekit.settings import DatabaseUrl


class ExampleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EXAMPLE_")

    database_url: DatabaseUrl = ""


@pytest.mark.parametrize(
    "given",
    [
        "postgresql://app:s3cret@db.internal:5432/ledger?sslmode=require",
        "postgres://app:s3cret@db.internal:5432/ledger?sslmode=require",
        "postgresql+asyncpg://app:s3cret@db.internal:5432/ledger?sslmode=require",
    ],
)
def test_plain_and_sqlalchemy_urls_load_as_asyncpg(
    given: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", given)
    assert ExampleSettings().database_url == (
        "postgresql+asyncpg://app:s3cret@db.internal:5432/ledger?sslmode=require"
    )


def test_a_unix_socket_url_keeps_its_host_query() -> None:
    url = ExampleSettings(database_url="postgresql://postgres@/ledger?host=/run/pg").database_url
    assert url == "postgresql+asyncpg://postgres@/ledger?host=/run/pg"


def test_empty_means_the_default() -> None:
    assert ExampleSettings().database_url == ""


@pytest.mark.parametrize(
    "given", ["mysql://app@db/ledger", "postgresql+psycopg2://app@db/ledger", "db.internal"]
)
def test_other_urls_are_refused_when_the_settings_load(given: str) -> None:
    with pytest.raises(ValidationError, match="a PostgreSQL URL"):
        ExampleSettings(database_url=given)

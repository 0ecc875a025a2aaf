"""The embedded server (or $TEST_DATABASE_URL) behind the pg_admin_url/make_database fixtures."""

import asyncio
import uuid
from pathlib import Path

import asyncpg
import pytest

from devstack.pgurl import database_name, libpq_url
from devstack.postgres import (
    EmbeddedPostgres,
    create_database,
    database_exists,
    drop_database,
)


async def fetchval(url: str, sql: str) -> object:
    conn = await asyncpg.connect(libpq_url(url))
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


async def test_admin_url_accepts_a_query(pg_admin_url: str) -> None:
    assert await fetchval(pg_admin_url, "SELECT 40 + 2") == 42


async def test_make_database_gives_a_new_empty_database(make_database) -> None:
    url = make_database("devstack")
    other = make_database("devstack")

    assert url.startswith("postgresql+asyncpg://")
    assert url != other
    assert await fetchval(url, "SELECT current_database()") == database_name(url)
    tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    assert await fetchval(url, tables) == 0


async def test_make_database_from_template_copies_its_tables(make_database) -> None:
    template = make_database("tmpl")
    conn = await asyncpg.connect(libpq_url(template))
    await conn.execute("CREATE TABLE t (x int); INSERT INTO t VALUES (7)")
    await conn.close()

    copy = make_database("copy", template=template)

    assert await fetchval(copy, "SELECT x FROM t") == 7


def test_create_and_drop_database_from_sync_code(pg_admin_url: str) -> None:
    name = f"devstack_probe_{uuid.uuid4().hex[:8]}"
    url = create_database(pg_admin_url, name)
    assert database_exists(pg_admin_url, name)
    assert create_database(pg_admin_url, name, exist_ok=True) == url
    with pytest.raises(asyncpg.DuplicateDatabaseError):
        create_database(pg_admin_url, name)

    drop_database(pg_admin_url, name)

    assert not database_exists(pg_admin_url, name)


async def test_sqlalchemy_accepts_the_asyncpg_url(make_database) -> None:
    sa_asyncio = pytest.importorskip("sqlalchemy.ext.asyncio")
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sa_asyncio.create_async_engine(make_database("sa"))
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(sqlalchemy.text("SELECT 1")) == 1
    finally:
        await engine.dispose()


def test_embedded_server_keeps_data_across_restart(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path / "pg")
    try:
        url = server.start()
        assert server.is_running()
        create_database(url, "kept")
        server.stop()
        assert not server.is_running()

        url = server.start()

        assert database_exists(url, "kept")
        assert asyncio.run(fetchval(url, "SELECT 1")) == 1
    finally:
        server.stop()
    assert not server.is_running()


def test_start_adopts_a_server_already_running_on_the_directory(tmp_path: Path) -> None:
    first, second = EmbeddedPostgres(tmp_path / "pg"), EmbeddedPostgres(tmp_path / "pg")
    try:
        url = first.start()
        assert second.start() == url
        second.stop()
        assert not first.is_running()
    finally:
        first.stop()

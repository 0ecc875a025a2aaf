"""API keys on a real PostgreSQL: shown once, stored as argon2 hashes, revocable."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from devstack.pytest_plugin import DatabaseFactory
from servicekit.auth import ApiKeyStore, Unauthenticated
from servicekit.auth.api_keys import DDL


@pytest.fixture(scope="module")
async def engine(make_database: DatabaseFactory) -> AsyncIterator[AsyncEngine]:
    made = create_async_engine(make_database("keys"))
    async with made.begin() as conn:
        await conn.execute(text(DDL))
    yield made
    await made.dispose()


async def test_a_key_works_until_revoked_and_only_its_hash_is_stored(engine: AsyncEngine) -> None:
    store = ApiKeyStore(engine, cache_seconds=0)
    record, key = await store.create("billing-gateway", ["poster"], ["sg", "HK"])
    assert key.startswith(f"rk_{record.key_id}_")
    assert record.jurisdictions == ("HK", "SG")
    p = await store.verify(key)
    assert (p.subject, p.roles, p.jurisdictions, p.via) == (
        "billing-gateway",
        {"poster"},
        {"SG", "HK"},
        "api-key",
    )
    async with engine.connect() as conn:
        stored = (
            await conn.execute(
                text("SELECT secret_hash FROM api_keys WHERE key_id = :k"), {"k": record.key_id}
            )
        ).scalar_one()
    assert stored.startswith("$argon2id$")
    assert key.split("_", 2)[2] not in stored
    assert [k.key_id for k in await store.list()].count(record.key_id) == 1

    assert await store.revoke(record.key_id)
    assert not await store.revoke(record.key_id)
    with pytest.raises(Unauthenticated, match="revoked"):
        await store.verify(key)
    assert record.key_id not in [k.key_id for k in await store.list()]
    assert record.key_id in [k.key_id for k in await store.list(include_revoked=True)]


@pytest.mark.parametrize("bad", ["", "rk_", "rk_abc", "xx_abc_def", "rk_nosuchkey_secret"])
async def test_malformed_or_unknown_keys_are_refused(engine: AsyncEngine, bad: str) -> None:
    with pytest.raises(Unauthenticated):
        await ApiKeyStore(engine).verify(bad)


async def test_a_wrong_secret_is_refused(engine: AsyncEngine) -> None:
    store = ApiKeyStore(engine)
    record, key = await store.create("svc", ["auditor"], ["*"])
    assert (await store.verify(key)).everywhere
    with pytest.raises(Unauthenticated):
        await store.verify(f"rk_{record.key_id}_{'x' * 43}")


async def test_unknown_roles_and_empty_names_are_refused(engine: AsyncEngine) -> None:
    store = ApiKeyStore(engine)
    with pytest.raises(ValueError, match="superuser"):
        await store.create("svc", ["superuser"], ["*"])
    with pytest.raises(ValueError, match="a name"):
        await store.create("  ", ["poster"], ["*"])

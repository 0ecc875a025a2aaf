"""Tamper evidence without gaps: checkpoints catch removed streams and tails, the hash
covers the position, a placeholder chain key is refused, a damaged stream is reported by
``rebuild-projections``, and the stream head moves only by appending.

Each test tampers with a database of its own (a copy of a migrated template).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from uuid import uuid4

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from devstack.pgurl import libpq_url, with_user
from devstack.postgres import ensure_login_role, execute
from devstack.pytest_plugin import DatabaseFactory
from devstack.testing import wait_for
from ledger import cli
from ledger.adapters.postgres import checkpoints
from ledger.adapters.postgres.engine import make_engine
from ledger.adapters.postgres.relay_checkpoint import feed_lag
from ledger.bootstrap import build
from ledger.settings import DEVELOPMENT_CHAIN_KEY, Settings
from ledger.testing import InProcessLedger, migrated, running
from servicekit.auth.testing import TestIdentity

from .api_support import HELD_BACK_SECONDS
from .conftest import invoice, open_account

KEY = "integrity-key"

IDENTITY = TestIdentity("ledger")


@pytest.fixture(scope="session")
def integrity_template(make_database: DatabaseFactory) -> str:
    url = make_database("integrity_tpl")
    migrated(url, chain_key=KEY)
    return url


@pytest.fixture
def settings(make_database: DatabaseFactory, integrity_template: str) -> Settings:
    database = make_database("integrity", template=integrity_template)
    return migrated(database, IDENTITY, migrate=False, chain_key=KEY)


@pytest.fixture
async def own(settings: Settings) -> AsyncIterator[InProcessLedger]:
    async with running(settings, IDENTITY) as built:
        yield built


@pytest.fixture
def api(own: InProcessLedger) -> httpx.AsyncClient:
    return own.client


@pytest.fixture
async def superuser(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(settings.database_url, role="")
    yield engine
    await engine.dispose()


async def tamper(engine: AsyncEngine, *statements: str, **params: object) -> None:
    """What a superuser could do behind the service's back: triggers off, then SQL."""
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        for sql in statements:
            await conn.execute(text(sql), params)


async def two_accounts(api: httpx.AsyncClient) -> None:
    for account in ("KEEP", "GONE"):
        await open_account(api, account)
        await invoice(api, account, "INV-1", "300.00")
        await invoice(api, account, "INV-2", "200.00", due="2026-02-28")


async def checkpoint(own: InProcessLedger) -> None:
    """Take a checkpoint of every event written so far. A checkpoint covers the events below
    the feed's horizon, which any database's running transaction holds back: first wait
    until none of this database's events is held back."""

    async def nothing_held_back() -> bool:
        async with own.service.engine.connect() as conn:
            return (await feed_lag(conn, 0))[1] == 0

    await wait_for(nothing_held_back, HELD_BACK_SECONDS, "the events to be readable")
    async with own.service.engine.begin() as conn:
        assert await checkpoints.take(conn, own.service.chain_key) is not None


async def verify(api: httpx.AsyncClient) -> dict[str, object]:
    r = await api.get("/v1/audit/verify")
    assert r.status_code == 200
    return r.json()  # type: ignore[no-any-return]


def problems(report: dict[str, object]) -> list[tuple[str, str]]:
    return [(f["stream_id"], f["problem"]) for f in report["findings"]]  # type: ignore[attr-defined]


async def test_a_checkpointed_ledger_verifies_and_checkpoints_chain(
    own: InProcessLedger, api: httpx.AsyncClient
) -> None:
    await two_accounts(api)
    await checkpoint(own)
    await invoice(api, "KEEP", "INV-3", "10.00")
    await checkpoint(own)
    async with own.service.engine.begin() as conn:
        assert await checkpoints.take(conn, own.service.chain_key) is None  # nothing new
    report = await verify(api)
    assert report["ok"] is True, report
    assert report["checkpoint"]["seq"] == 2  # type: ignore[index]
    assert report["checkpoint"]["events"] == 7  # type: ignore[index]


async def test_a_whole_stream_removed_with_its_head_is_found(
    own: InProcessLedger, api: httpx.AsyncClient, superuser: AsyncEngine
) -> None:
    await two_accounts(api)
    await checkpoint(own)
    await tamper(
        superuser,
        "DELETE FROM events WHERE stream_id = :s",
        "DELETE FROM streams WHERE stream_id = :s",
        s="GONE",
    )
    found = problems(await verify(api))
    assert ("GONE", "checkpointed at version 3: the whole stream is gone") in found
    assert any("counted 6 events" in p for _, p in found)
    assert all(s in ("GONE", "(checkpoints)") for s, _ in found)


async def test_a_tail_removed_and_the_head_rolled_back_is_found(
    own: InProcessLedger, api: httpx.AsyncClient, superuser: AsyncEngine
) -> None:
    await two_accounts(api)
    await checkpoint(own)
    await tamper(
        superuser,
        "DELETE FROM events WHERE stream_id = :s AND version = 3",
        "UPDATE streams SET version = 2, head_position = e.position, head_hash = e.hash "
        "FROM events AS e WHERE e.stream_id = :s AND e.version = 2 AND streams.stream_id = :s",
        s="GONE",
    )
    found = problems(await verify(api))
    assert ("GONE", "checkpointed at version 3, events now end at 2: newest events removed") in (
        found
    )


async def test_a_changed_checkpoint_is_found(
    own: InProcessLedger, api: httpx.AsyncClient, superuser: AsyncEngine
) -> None:
    await two_accounts(api)
    await checkpoint(own)
    await tamper(superuser, "UPDATE stream_checkpoints SET heads = heads - 'GONE'")
    found = problems(await verify(api))
    assert ("(checkpoints)", "checkpoint 1: content does not match its digest") in found


async def test_the_hash_covers_the_position(
    own: InProcessLedger, api: httpx.AsyncClient, superuser: AsyncEngine
) -> None:
    await two_accounts(api)
    await tamper(
        superuser,
        "UPDATE events SET position = position - 1 WHERE stream_id = :s AND version = 2",
        s="KEEP",
    )
    found = problems(await verify(api))
    assert ("KEEP", "content does not match its hash") in found


async def test_a_placeholder_chain_key_is_refused_outside_development(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    weak = settings.model_copy(update={"chain_key": Settings().chain_key})
    assert weak.chain_key.get_secret_value() == DEVELOPMENT_CHAIN_KEY
    with pytest.raises(SystemExit, match="publicly known placeholder"):
        build(weak)
    monkeypatch.setenv("LEDGER_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("LEDGER_CHAIN_KEY", raising=False)
    monkeypatch.delenv("LEDGER_ENVIRONMENT", raising=False)
    with pytest.raises(SystemExit, match="publicly known placeholder"):
        await cli._verify(Settings())
    async with running(weak.model_copy(update={"environment": "development"}), IDENTITY) as dev:
        ready = (await dev.client.get("/readyz")).json()
        assert "publicly known placeholder" in ready["warnings"][0]
        monkeypatch.setenv("LEDGER_ENVIRONMENT", "development")
        assert await cli._verify(Settings()) == 0
        assert "WARNING: the chain key is a public placeholder" in capsys.readouterr().out


async def test_rebuild_reports_a_damaged_stream_instead_of_failing(
    own: InProcessLedger,
    api: httpx.AsyncClient,
    superuser: AsyncEngine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await two_accounts(api)
    r = await api.post(
        "/v1/accounts/GONE/payments",
        json={"payment_id": "P-1", "amount": "50.00", "received_on": "2026-01-20"}
        | {"method": "bank", "allocations": [{"invoice_id": "INV-2", "amount": "50.00"}]},
    )
    assert r.status_code == 201, r.text
    await tamper(superuser, "DELETE FROM events WHERE stream_id = 'GONE' AND version = 3")
    monkeypatch.setenv("LEDGER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LEDGER_CHAIN_KEY", KEY)
    for apply in (False, True):
        assert await cli._rebuild(Settings(), apply=apply) == 1
        err = capsys.readouterr().err
        assert "DAMAGED GONE version 4: version 3 is missing" in err
        assert "nothing rebuilt" in err
    items = (await api.get("/v1/accounts/KEEP/invoices")).json()["invoices"]
    assert len(items) == 2  # the live projections were left as they were


async def test_the_stream_head_moves_only_by_appending(
    own: InProcessLedger, api: httpx.AsyncClient, superuser: AsyncEngine
) -> None:
    await two_accounts(api)
    async with own.service.engine.connect() as conn:  # the service's role
        for sql in (
            "UPDATE streams SET version = 2 WHERE stream_id = 'KEEP'",
            "DELETE FROM streams WHERE stream_id = 'KEEP'",
            "INSERT INTO streams VALUES ('NEW', 1, 1, '\\x00')",
        ):
            with pytest.raises(Exception, match="permission denied"):
                await conn.execute(text(sql))
            await conn.rollback()
    async with superuser.connect() as conn:  # even the owner, with triggers on
        with pytest.raises(Exception, match="stream heads move only by appending"):
            await conn.execute(text("UPDATE streams SET version = 2 WHERE stream_id = 'KEEP'"))
    assert (await verify(api))["ok"] is True


@pytest.fixture
def login_role(settings: Settings) -> Iterator[str]:
    """A login role as ``make run`` creates for the ledger: a member of ledger_writer."""
    role = f"ledger_login_{uuid4().hex[:8]}"
    admin = libpq_url(settings.database_url)
    ensure_login_role(admin, role, "ledger_writer", "pw-" + role)
    yield with_user(settings.database_url, role, "pw-" + role)
    execute(admin, f"DROP ROLE {role}")


async def test_the_service_login_role_cannot_bypass_the_append_only_rules(
    settings: Settings, login_role: str
) -> None:
    login = settings.model_copy(update={"database_url": login_role})
    async with running(login, IDENTITY) as service:
        c = service.client
        await two_accounts(c)  # the role appends as the service does
        conn = await asyncpg.connect(
            libpq_url(login_role), server_settings={"role": "ledger_writer"}
        )
        try:
            for sql in (
                "DELETE FROM events WHERE stream_id = 'GONE'",
                "UPDATE events SET data = '{}' WHERE stream_id = 'GONE'",
                "RESET ROLE; DELETE FROM events WHERE stream_id = 'GONE'",
                "RESET ROLE; UPDATE events SET actor = 'x' WHERE stream_id = 'GONE'",
                "RESET ROLE; TRUNCATE events",
                "RESET ROLE; UPDATE streams SET version = 2 WHERE stream_id = 'GONE'",
                "RESET ROLE; DELETE FROM streams WHERE stream_id = 'GONE'",
                "RESET ROLE; SET session_replication_role = replica",
                "RESET ROLE; ALTER TABLE events DISABLE TRIGGER USER",
                "RESET ROLE; SET ROLE postgres",
                "RESET ROLE; DELETE FROM stream_checkpoints",
            ):
                with pytest.raises(asyncpg.PostgresError) as e:
                    await conn.execute(sql)
                assert isinstance(
                    e.value,
                    asyncpg.InsufficientPrivilegeError | asyncpg.UndefinedObjectError,
                ), (sql, e.value)
            await conn.execute("RESET ROLE")
            sql = "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
            assert await conn.fetchval(sql) is False
        finally:
            await conn.close()
        assert (await verify(c))["ok"] is True

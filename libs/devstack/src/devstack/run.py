"""``python -m devstack run`` -- what ``make run`` does.

1. PostgreSQL: the server named by ``$LEDGER_DATABASE_URL`` if set, else an embedded server
   with its data in ``$LEDGER_DATA_DIR/postgres`` (default ``./var/postgres``).
2. One database per service (``ledger``, ``dunning``, ``commission``, ``billing``, ``cash``),
   created if missing; ``<SVC>_DATABASE_URL`` (SQLAlchemy asyncpg form) is set for the children
   unless already set.
3. ``<svc> migrate``, then ``<svc> serve --host H --port P`` for the ledger (8000) and, when
   their commands are installed, dunning (8001), commission (8002), billing (8003) and cash
   (8004), which get ``<SVC>_LEDGER_URL`` pointing at the ledger, and the web console (8005,
   no database), which also gets ``CONSOLE_DUNNING_URL`` and ``CONSOLE_COMMISSION_URL``. The
   ledger migrates as the database owner but serves as the login role ``ledger_service`` (a
   member of ``ledger_writer``, with a fresh random password each run), which cannot change
   or remove an event whatever it SETs.
4. Development identities (``devstack.dev_auth``): a local signing key and JWKS the services
   trust, a ledger token for each service that calls the ledger, and a token per role
   printed and written to ``$LEDGER_DATA_DIR/auth/tokens.env``.
5. Development defaults for settings a local run cannot do without and that are not set:
   ``CASH_BANK_ACCOUNTS`` (``DEV_CASH_BANK_ACCOUNTS``: the bank and partner accounts of the
   README's examples), printed at the start; a value set in the environment wins.
6. Ctrl-C / SIGTERM: stop the services (newest first), then PostgreSQL.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from devstack import dev_auth
from devstack._net import port_open, wait_for_port
from devstack.pgurl import asyncpg_url, database_name, libpq_url, redact, with_user
from devstack.postgres import (
    EmbeddedPostgres,
    create_database,
    database_exists,
    ensure_login_role,
)

log = logging.getLogger("devstack.run")

LEDGER_LOGIN_ROLE = "ledger_service"
LEDGER_WRITER_ROLE = "ledger_writer"  # created by the ledger's first migration
SERVE_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    required: bool = False
    database: bool = True  # has a database of its own and a `migrate` command
    clients_of: tuple[str, ...] = ()  # other services it calls: <SVC>_<OTHER>_URL is set

    @property
    def env_prefix(self) -> str:
        return self.name.upper()


DEFAULT_SERVICES = (
    Service("ledger", 8000, required=True),
    Service("dunning", 8001),
    Service("commission", 8002),
    Service("billing", 8003),
    Service("cash", 8004),
    Service("console", 8005, database=False, clients_of=("dunning", "commission")),
)


DEV_CASH_BANK_ACCOUNTS = {
    "SG12DBSS00001234567890": "SG",
    "HK12HSBC00009876543210": "HK",
    "CARDPAY-SG": "SG",
}
"""The bank and partner accounts the README's cash examples import statements for (the
camt.053 sample's IBAN, the HK one, the card acquirer's settlement account)."""


def development_defaults(env: dict[str, str], services: Sequence[str]) -> list[str]:
    """Set the development defaults of the ``services`` that run into ``env`` where it has no
    value of its own; returns a line per default set, for the console."""
    defaults: dict[str, str] = {}
    if "cash" in services:
        defaults["CASH_BANK_ACCOUNTS"] = json.dumps(DEV_CASH_BANK_ACCOUNTS)
    notes = []
    for name, value in defaults.items():
        if name not in env:
            env[name] = value
            notes.append(f"{name}={value} (development default; set it to override)")
    return notes


class Interrupted(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)


class StartupError(Exception):
    pass


def _parent_death_signal() -> Callable[[], None] | None:
    """On Linux, make children get SIGTERM if this supervisor dies without cleaning up."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1

    def set_pdeathsig() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return set_pdeathsig


@dataclass
class Supervisor:
    host: str = "127.0.0.1"
    services: Sequence[Service] = DEFAULT_SERVICES
    bin_dirs: Sequence[Path] = ()
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    _children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    _postgres: EmbeddedPostgres | None = None

    def run(self) -> int:
        previous = {s: signal.signal(s, self._interrupt) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            self._start_all()
            log.info("all services up; press Ctrl-C to stop")
            return self._watch()
        except Interrupted as sig:
            log.info("%s received, shutting down", sig)
            return 0
        except StartupError as err:
            log.error("%s", err)
            return 1
        finally:
            for s in previous:
                signal.signal(s, self._ignore_while_stopping)
            self._stop_all()
            for s, handler in previous.items():
                signal.signal(s, handler)

    # --- start ------------------------------------------------------------------------------

    def _start_all(self) -> None:
        commands = self._commands()
        self._check_ports(commands)
        admin_url = self._start_postgres()
        for svc in self.services:
            if svc.name in commands and svc.database:
                self._prepare_database(svc, admin_url)
        self.env.setdefault("LEDGER_ENVIRONMENT", "development")  # a local run
        for note in development_defaults(self.env, list(commands)):
            print(note, flush=True)
        ledger_http = f"http://{self.host}:{self._port('ledger')}"
        for svc in self.services:
            if svc.name != "ledger":
                self.env.setdefault(f"{svc.env_prefix}_LEDGER_URL", ledger_http)
            for other in svc.clients_of:
                url = f"http://{self.host}:{self._port(other)}"
                self.env.setdefault(f"{svc.env_prefix}_{other.upper()}_URL", url)
        self._identities([s.name for s in self.services if s.name in commands])
        self._console_urls()
        path = [str(d) for d in self.bin_dirs] + [str(Path(sys.executable).parent)]
        self.env["PATH"] = os.pathsep.join([*path, self.env.get("PATH", "")])
        for svc in self.services:
            if svc.name in commands and svc.database:
                self._migrate(svc, commands[svc.name])
        self._ledger_login_role()
        for svc in self.services:
            if svc.name in commands:
                self._serve(svc, commands[svc.name])

    def _identities(self, services: list[str]) -> None:
        data_dir = Path(self.env.get("LEDGER_DATA_DIR", "var")).resolve()
        tokens = dev_auth.provision(self.env, data_dir, services)
        print("\nDevelopment tokens (one per role; valid 7 days):", flush=True)
        print("\n".join(tokens.lines), flush=True)
        print(f"(also in {tokens.path}: `source {tokens.path}`)\n", flush=True)

    def _console_urls(self) -> None:
        """Where the console's backends listen, for ``make demo`` in another terminal (it
        sources this file): with other ports (``RUN_ARGS``) it would look for them on the
        default ones. A value already set in that shell wins."""
        data_dir = Path(self.env.get("LEDGER_DATA_DIR", "var")).resolve()
        names = sorted(n for n in self.env if n.startswith("CONSOLE_") and n.endswith("_URL"))
        values = {n: self.env[n] for n in names}
        # and the console's own address, which the demo names at the end
        values |= {"CONSOLE_HOST": self.host, "CONSOLE_PORT": str(self._port("console"))}
        lines = [f': "${{{n}:={v}}}"; export {n}' for n, v in values.items()]
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "run.env").write_text("\n".join(lines) + "\n")

    def _commands(self) -> dict[str, str]:
        search = [*map(str, self.bin_dirs), str(Path(sys.executable).parent)]
        search.append(self.env.get("PATH", ""))
        found: dict[str, str] = {}
        for svc in self.services:
            exe = shutil.which(svc.name, path=os.pathsep.join(search))
            if exe is not None:
                found[svc.name] = exe
            elif svc.required:
                raise StartupError(f"command `{svc.name}` not found: run `make venv` first")
            else:
                log.info("%s: command not installed, skipping", svc.name)
        return found

    def _check_ports(self, commands: dict[str, str]) -> None:
        """Refuse to start when another process already listens on a service's port.

        Otherwise the readiness wait would see that process and report the service up.
        """
        taken = [s for s in self.services if s.name in commands and port_open(self.host, s.port)]
        if taken:
            ports = ", ".join(f"{s.name}: port {s.port}" for s in taken)
            args = " ".join(f"--{s.name}-port {s.port + 100}" for s in taken)
            raise StartupError(
                f"already in use on {self.host}: {ports}; stop what listens there or choose"
                f" other ports, e.g. make run RUN_ARGS='{args}'"
            )

    def _start_postgres(self) -> str:
        external = self.env.get("LEDGER_DATABASE_URL")
        if external:
            log.info("using PostgreSQL from LEDGER_DATABASE_URL: %s", redact(external))
            return libpq_url(external, "postgres")
        data_dir = Path(self.env.get("LEDGER_DATA_DIR", "var")).resolve()
        self.env["LEDGER_DATA_DIR"] = str(data_dir)
        log.info("starting embedded PostgreSQL, data in %s", data_dir / "postgres")
        self._postgres = EmbeddedPostgres(data_dir / "postgres")
        url = self._postgres.start()
        log.info("PostgreSQL ready at %s", url)
        return url

    def _prepare_database(self, svc: Service, admin_url: str) -> None:
        var = f"{svc.env_prefix}_DATABASE_URL"
        url = self.env.get(var) or asyncpg_url(admin_url, svc.name)
        self.env[var] = url
        name, server = database_name(url), libpq_url(url, "postgres")
        try:
            if not database_exists(server, name):
                create_database(server, name)
                log.info("%s: created database %s", svc.name, name)
        except Exception as err:  # an external server may not let us; migrate will tell
            log.warning("%s: could not check/create database %s: %s", svc.name, name, err)
        log.info("%s: %s=%s", svc.name, var, redact(url))

    def _migrate(self, svc: Service, exe: str) -> None:
        log.info("%s: running `%s migrate`", svc.name, svc.name)
        proc = self._spawn(svc.name + " migrate", [exe, "migrate"])
        code = proc.wait()
        self._children.remove((svc.name + " migrate", proc))
        if code != 0:
            raise StartupError(f"`{svc.name} migrate` failed with exit code {code}")

    def _ledger_login_role(self) -> None:
        """From here on the ledger logs in as its least-privileged login role."""
        owner_url = self.env["LEDGER_DATABASE_URL"]
        password = secrets.token_hex(16)
        try:
            ensure_login_role(libpq_url(owner_url), LEDGER_LOGIN_ROLE, LEDGER_WRITER_ROLE, password)
        except Exception as err:  # an external server may not let us create roles
            log.warning(
                "ledger: could not set up login role %s (%s); serving as the migrating role",
                LEDGER_LOGIN_ROLE,
                err,
            )
            return
        self.env["LEDGER_DATABASE_URL"] = with_user(owner_url, LEDGER_LOGIN_ROLE, password)
        log.info("ledger: serving as %s", redact(self.env["LEDGER_DATABASE_URL"]))

    def _serve(self, svc: Service, exe: str) -> None:
        port = self._port(svc.name)
        log.info("%s: starting `%s serve` on http://%s:%d", svc.name, svc.name, self.host, port)
        proc = self._spawn(svc.name, [exe, "serve", "--host", self.host, "--port", str(port)])
        if not wait_for_port(
            self.host, port, timeout=SERVE_TIMEOUT, alive=lambda: proc.poll() is None
        ):
            raise StartupError(f"{svc.name} did not listen on {self.host}:{port}")
        log.info("%s: listening on http://%s:%d", svc.name, self.host, port)

    def _port(self, name: str) -> int:
        return next(s.port for s in self.services if s.name == name)

    def _spawn(self, label: str, argv: list[str]) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            argv,
            env=self.env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches only us; we stop children in order
            preexec_fn=_parent_death_signal(),  # safe: the supervisor runs no threads
        )
        self._children.append((label, proc))
        return proc

    # --- run and stop ----------------------------------------------------------------------

    def _watch(self) -> int:
        while True:
            for label, proc in self._children:
                code = proc.poll()
                if code is not None:
                    log.error("%s exited with code %s; stopping everything", label, code)
                    return 1
            time.sleep(0.5)

    def _stop_all(self) -> None:
        for label, proc in reversed(self._children):
            if proc.poll() is None:
                log.info("stopping %s (pid %d)", label, proc.pid)
                proc.terminate()
                try:
                    proc.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    log.warning("%s did not stop in %.0fs, killing it", label, STOP_TIMEOUT)
                    proc.kill()
                    proc.wait()
        self._children.clear()
        if self._postgres is not None:
            log.info("stopping PostgreSQL")
            self._postgres.stop()
            self._postgres = None

    def _interrupt(self, signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signum)

    def _ignore_while_stopping(self, signum: int, frame: FrameType | None) -> None:
        log.info("%s received: already stopping", signal.Signals(signum).name)

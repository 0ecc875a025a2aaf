"""`python -m devstack run` (what `make run` does), driven with stand-in service commands."""

import json
import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from devstack._net import free_port, port_open, wait_for_port
from devstack.pgurl import asyncpg_url, libpq_url
from devstack.postgres import EmbeddedPostgres, database_exists, drop_database
from devstack.run import DEV_CASH_BANK_ACCOUNTS, development_defaults

SERVICES = ("ledger", "dunning", "commission", "billing", "cash", "console")
WITH_DATABASE = ("ledger", "dunning", "commission", "billing", "cash")  # the console has none

# A stand-in for `<svc> migrate` / `<svc> serve --host H --port P`: records its environment,
# listens on the port, exits cleanly on SIGTERM.
FAKE_SERVICE = """\
#!{python}
import json, os, signal, socket, sys
from pathlib import Path

name, command = Path(sys.argv[0]).name, sys.argv[1]
record = Path(os.environ["FAKE_RECORD_DIR"]) / f"{{name}}.{{command}}.json"
record.write_text(json.dumps({{"argv": sys.argv[1:], "env": dict(os.environ)}}))
if command == "migrate":
    sys.exit(int(os.environ.get("FAKE_MIGRATE_EXIT", "0")))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
server = socket.create_server((sys.argv[3], int(sys.argv[5])))
while True:
    server.accept()[0].close()
"""


@pytest.fixture
def fake_bin(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in SERVICES:
        script = bin_dir / name
        script.write_text(FAKE_SERVICE.format(python=sys.executable))
        script.chmod(0o755)
    return bin_dir


@pytest.fixture
def run_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LEDGER_", "DUNNING_", "COMMISSION_", "BILLING_", "CASH_", "CONSOLE_"))
    }
    (tmp_path / "records").mkdir()
    env["FAKE_RECORD_DIR"] = str(tmp_path / "records")
    env["LEDGER_DATA_DIR"] = str(tmp_path / "var")
    return env


def start_run(fake_bin: Path, env: dict[str, str], ports: dict[str, int], log: Path):
    argv = [sys.executable, "-m", "devstack", "run", "--bin-dir", str(fake_bin)]
    for name, port in ports.items():
        argv += [f"--{name}-port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)


def record(tmp_path: Path, name: str, command: str) -> dict:
    return json.loads((tmp_path / "records" / f"{name}.{command}.json").read_text())


def sourced(env_file: Path, env: dict[str, str]) -> list[str]:
    """The console's ledger and commission URLs in a shell that sourced ``env_file``."""
    shell = f". {env_file}; echo $CONSOLE_LEDGER_URL $CONSOLE_COMMISSION_URL $CONSOLE_PORT"
    return subprocess.run(
        ["sh", "-c", shell], env=env, capture_output=True, text=True
    ).stdout.split()


async def current_database(url: str) -> str:
    conn = await asyncpg.connect(libpq_url(url))
    try:
        return await conn.fetchval("SELECT current_database()")
    finally:
        await conn.close()


async def test_run_starts_everything_and_stops_it_on_ctrl_c(
    tmp_path: Path, fake_bin: Path, run_env: dict[str, str]
) -> None:
    ports = {name: free_port() for name in SERVICES}
    log = tmp_path / "run.log"
    proc = start_run(fake_bin, run_env, ports, log)
    try:
        for name in SERVICES:
            up = wait_for_port(
                "127.0.0.1", ports[name], timeout=60, alive=lambda: proc.poll() is None
            )
            assert up, f"{name} not up:\n{log.read_text()}"

        ledger = record(tmp_path, "ledger", "serve")
        assert ledger["argv"] == ["serve", "--host", "127.0.0.1", "--port", str(ports["ledger"])]
        for name in WITH_DATABASE:
            url = record(tmp_path, name, "migrate")["env"][f"{name.upper()}_DATABASE_URL"]
            assert url.startswith(f"postgresql+asyncpg://postgres@/{name}?host=/")
            assert await current_database(url) == name
        # the ledger migrates as the owner and serves as its least-privileged login role
        served = ledger["env"]["LEDGER_DATABASE_URL"]
        assert served.startswith("postgresql+asyncpg://ledger_service:")
        assert ledger["env"]["LEDGER_ENVIRONMENT"] == "development"
        conn = await asyncpg.connect(libpq_url(served))
        try:
            me = await conn.fetchrow(
                "SELECT current_user AS name, rolsuper, rolcreaterole, rolcreatedb,"
                " pg_has_role('ledger_writer', 'MEMBER') AS writer"
                " FROM pg_roles WHERE rolname = current_user"
            )
        finally:
            await conn.close()
        assert tuple(me) == ("ledger_service", False, False, False, True)
        dunning_env = record(tmp_path, "dunning", "serve")["env"]
        assert dunning_env["DUNNING_LEDGER_URL"] == f"http://127.0.0.1:{ports['ledger']}"
        assert Path(dunning_env["LEDGER_DATA_DIR"]) == tmp_path / "var"
        console_env = record(tmp_path, "console", "serve")["env"]
        for name in ("ledger", "dunning", "commission"):
            assert console_env[f"CONSOLE_{name.upper()}_URL"] == f"http://127.0.0.1:{ports[name]}"
        assert "CONSOLE_DATABASE_URL" not in console_env
        # cash gets the README's bank accounts, and says so
        cash_env = record(tmp_path, "cash", "serve")["env"]
        assert json.loads(cash_env["CASH_BANK_ACCOUNTS"]) == DEV_CASH_BANK_ACCOUNTS
        assert "CASH_BANK_ACCOUNTS=" in log.read_text()
        # ... and make demo, in another shell, finds them there (a URL set in it wins)
        demo_env = tmp_path / "var" / "run.env"
        assert sourced(demo_env, {}) == [
            f"http://127.0.0.1:{ports['ledger']}",
            f"http://127.0.0.1:{ports['commission']}",
            str(ports["console"]),
        ]
        assert sourced(demo_env, {"CONSOLE_LEDGER_URL": "http://elsewhere:1"})[0] == (
            "http://elsewhere:1"
        )
        assert not (tmp_path / "records" / "console.migrate.json").exists()
        # development identities: every service trusts the local issuer, dunning has a
        # ledger token, and a token per role is printed and kept for the shell
        jwks = tmp_path / "var" / "auth" / "jwks.json"
        for name in SERVICES:
            env = record(tmp_path, name, "serve")["env"]
            assert env[f"{name.upper()}_AUTH_JWKS"] == str(jwks)
        assert dunning_env["DUNNING_LEDGER_TOKEN"].count(".") == 2
        assert "export TOKEN_ADMIN=" in (tmp_path / "var" / "auth" / "tokens.env").read_text()
        assert "export TOKEN_CREDIT_CONTROLLER_SG=" in log.read_text()

        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
        EmbeddedPostgres(tmp_path / "var" / "postgres").stop()

    assert not any(port_open("127.0.0.1", port) for port in ports.values())
    assert not EmbeddedPostgres(tmp_path / "var" / "postgres").is_running()
    assert "stopping PostgreSQL" in log.read_text()


def test_failed_migration_stops_run_with_an_error(
    tmp_path: Path, fake_bin: Path, run_env: dict[str, str], pg_admin_url: str
) -> None:
    # External-server mode: the URLs name databases that do not exist yet.
    names = {name: f"{name}_run_{uuid.uuid4().hex[:8]}" for name in WITH_DATABASE}
    for name, db in names.items():
        run_env[f"{name.upper()}_DATABASE_URL"] = asyncpg_url(pg_admin_url, db)
    run_env["FAKE_MIGRATE_EXIT"] = "3"
    ports = {name: free_port() for name in SERVICES}
    log = tmp_path / "run.log"

    proc = start_run(fake_bin, run_env, ports, log)

    try:
        assert proc.wait(60) == 1, log.read_text()
        assert "`ledger migrate` failed with exit code 3" in log.read_text()
        assert all(database_exists(pg_admin_url, db) for db in names.values())
    finally:
        for db in names.values():
            drop_database(pg_admin_url, db)
    assert not (tmp_path / "var" / "postgres").exists()  # no embedded server was started
    assert not (tmp_path / "records" / "ledger.serve.json").exists()


def test_a_port_in_use_stops_run_before_anything_starts(
    tmp_path: Path, fake_bin: Path, run_env: dict[str, str]
) -> None:
    ports = {name: free_port() for name in SERVICES}
    log = tmp_path / "run.log"
    with socket.create_server(("127.0.0.1", ports["dunning"])):
        proc = start_run(fake_bin, run_env, ports, log)
        assert proc.wait(60) == 1, log.read_text()
    assert f"already in use on 127.0.0.1: dunning: port {ports['dunning']};" in log.read_text()
    assert not (tmp_path / "var").exists()  # no PostgreSQL was started
    assert not (tmp_path / "records" / "ledger.migrate.json").exists()


def test_cash_gets_the_readme_bank_accounts_unless_they_are_set() -> None:
    env: dict[str, str] = {}
    notes = development_defaults(env, ["ledger", "cash"])
    assert json.loads(env["CASH_BANK_ACCOUNTS"]) == DEV_CASH_BANK_ACCOUNTS
    assert len(notes) == 1
    assert notes[0].startswith("CASH_BANK_ACCOUNTS=")
    # the accounts of the README's walk-through and of the sample statement
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    sample = Path(__file__).parents[3] / "services/cash/examples/camt053-2026-02-10.xml"
    for account in ("SG12DBSS00001234567890", "CARDPAY-SG"):
        assert account in DEV_CASH_BANK_ACCOUNTS
        assert account in readme
    assert "<IBAN>SG12DBSS00001234567890</IBAN>" in sample.read_text()

    explicit = {"CASH_BANK_ACCOUNTS": '{"X": "HK"}'}
    assert development_defaults(explicit, ["cash"]) == []
    assert explicit["CASH_BANK_ACCOUNTS"] == '{"X": "HK"}'
    without_cash: dict[str, str] = {}
    assert development_defaults(without_cash, ["ledger"]) == []
    assert without_cash == {}

"""What the ledger benchmarks share: figures, CPU accounting, databases, the service in a
subprocess and a small HTTP/1.1 client."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import psutil

from devstack.pgurl import libpq_url
from devstack.postgres import EmbeddedPostgres, create_database, drop_database
from servicekit.auth import POSTER
from servicekit.auth.issuer import LocalIssuer

# The ledger verifies a bearer token on every post, as in production: a throwaway issuer
# here, its key set handed to `ledger serve` inline.
ISSUER = LocalIssuer("urn:receivables:bench-issuer")
POSTER_TOKEN = ISSUER.mint("bench", roles=[POSTER], audience="ledger", expires_in=7 * 86400)
# What dunning and commission read the ledger's feed with (the roles `make run` gives them).
CONSUMER_TOKEN = ISSUER.mint(
    "bench-consumer",
    roles=["poster", "auditor", "trusted_service"],
    audience="ledger",
    expires_in=7 * 86400,
)


@dataclass
class Figure:
    """A throughput or latency measurement."""

    name: str
    count: int = 0
    seconds: float = 0.0
    errors: int = 0
    latencies: list[float] = field(default_factory=list, repr=False)
    note: str = ""
    cpu: dict[str, float] = field(default_factory=dict)  # CPU ms per command, by process

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "count": self.count,
            "seconds": round(self.seconds, 3),
            "rate": round(self.rate, 1),
            "p50_ms": round(self.pct(0.50), 2),
            "p99_ms": round(self.pct(0.99), 2),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 2)
            if self.latencies
            else None,
            "errors": self.errors,
            "note": self.note,
            "cpu": {k: round(v, 3) for k, v in self.cpu.items()},
        }


def log(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# CPU accounting: on a small shared machine, CPU per command is steadier than commands/s


class CpuMeter:
    """CPU seconds used during a measurement by this process, a server's process tree and
    the PostgreSQL backends of one database (when the server runs on this machine), and
    what every other process on the machine used meanwhile."""

    def __init__(self, database: str, server_pid: int | None = None) -> None:
        self.database = database
        self.server_pid = server_pid
        self._start: dict[str, dict[int, float]] = {}
        self._machine = (0.0, 0.0)

    def _groups(self) -> dict[str, dict[int, float]]:
        out: dict[str, dict[int, float]] = {"client": {}, "server": {}, "postgres": {}}
        me = psutil.Process()
        out["client"][me.pid] = _cpu(me)
        if self.server_pid is not None:
            with contextlib.suppress(psutil.Error):
                root = psutil.Process(self.server_pid)
                for proc in (root, *root.children(recursive=True)):
                    out["server"][proc.pid] = _cpu(proc)
        for proc in psutil.process_iter(["cmdline"]):
            cmdline = proc.info.get("cmdline") or []
            title = " ".join(cmdline)
            if title.startswith("postgres:") and f" {self.database} " in f"{title} ":
                with contextlib.suppress(psutil.Error):
                    out["postgres"][proc.pid] = _cpu(proc)
        return out

    @staticmethod
    def _busy() -> tuple[float, float]:
        t = psutil.cpu_times()
        return sum(t) - t.idle - getattr(t, "iowait", 0.0), sum(t)

    def start(self) -> None:
        self._start = self._groups()
        self._machine = self._busy()

    def stop(self, commands: int) -> dict[str, float]:
        end = self._groups()
        busy, total = self._busy()
        used = {
            group: sum(t - self._start[group].get(pid, 0.0) for pid, t in pids.items())
            for group, pids in end.items()
        }
        cores = (total - self._machine[1]) / (os.cpu_count() or 1)  # wall seconds
        out = {f"{g}_ms": 1000 * v / max(commands, 1) for g, v in used.items() if v > 0}
        if cores > 0:
            out["other_cores"] = max(0.0, (busy - self._machine[0] - sum(used.values())) / cores)
        return out


def _cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return float(t.user + t.system)


# --------------------------------------------------------------------------------------
# the database server


@contextlib.contextmanager
def database_server(url: str | None) -> Iterator[str]:
    """A superuser libpq URL: the one given, or an embedded server for the run."""
    if url:
        yield libpq_url(url)
        return
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as root:
        server = EmbeddedPostgres(Path(root) / "data")
        try:
            yield server.start()
        finally:
            server.stop()


class Databases:
    """Fresh databases on the server, dropped at the end."""

    def __init__(self, admin_url: str, keep: bool = False) -> None:
        self.admin_url = admin_url
        self.keep = keep
        self.tag = uuid.uuid4().hex[:8]
        self.made: list[str] = []

    def make(self, label: str, template: str | None = None) -> str:
        name = f"bench_{self.tag}_{label}"
        url = create_database(self.admin_url, name, template=template)
        self.made.append(name)
        return url

    def drop_all(self) -> None:
        if self.keep:
            return
        for name in reversed(self.made):
            with contextlib.suppress(Exception):
                drop_database(self.admin_url, name)


def ledger_revision() -> str:
    """The commit of the ledger code the subprocesses will import (no paths printed)."""
    spec = importlib.util.find_spec("ledger")
    origin = Path(spec.origin).resolve() if spec and spec.origin else None
    root = Path(__file__).resolve().parent.parent
    if origin is None or not origin.is_relative_to(root):
        return "imported from outside this checkout"
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty=+uncommitted", "--abbrev=7"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    return f"commit {out.stdout.strip()}"


def server_facts(admin_url: str) -> dict[str, str]:
    async def query() -> dict[str, str]:
        conn = await asyncpg.connect(admin_url)
        try:
            out = {"version": str(await conn.fetchval("SHOW server_version"))}
            for name in ("synchronous_commit", "fsync", "max_connections", "shared_buffers"):
                out[name] = str(await conn.fetchval(f"SHOW {name}"))
            return out
        finally:
            await conn.close()

    return asyncio.run(query())


T = TypeVar("T")


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await make()

    try:
        import uvloop
    except ImportError:
        return asyncio.run(main())
    return uvloop.run(main())


# --------------------------------------------------------------------------------------
# a minimal HTTP/1.1 keep-alive client (cheap, so the load generator leaves CPU to the
# server on a small machine)


class HttpClient:
    def __init__(self, host: str, port: int, token: str = POSTER_TOKEN) -> None:
        self.host = host
        self.port = port
        self.token = token
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: Any) -> tuple[int, bytes]:
        return await self.request("POST", path, json.dumps(body, separators=(",", ":")).encode())

    async def get(self, path: str) -> tuple[int, bytes]:
        return await self.request("GET", path)

    async def request(self, method: str, path: str, payload: bytes = b"") -> tuple[int, bytes]:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {self.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        self._writer.write(head.encode() + payload)
        status_line = await self._reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length = 0
        close = False
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
            elif name == b"transfer-encoding":
                raise ConnectionError("chunked responses are not expected")
        data = await self._reader.readexactly(length)
        if close:
            await self.close()
        return status, data

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()
        self._reader = self._writer = None


# --------------------------------------------------------------------------------------
# the ledger service in a subprocess


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def ledger_env(db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["LEDGER_DATABASE_URL"] = db_url
    env["LEDGER_AUTH_ISSUER"] = ISSUER.issuer
    env["LEDGER_AUTH_JWKS"] = ISSUER.jwks_json()
    env.setdefault("LEDGER_LOG_LEVEL", "WARNING")  # no access log on the hot path
    env.setdefault("LEDGER_CHAIN_KEY", "bench-chain-key")
    return env


def migrate(db_url: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "ledger.cli", "migrate"],
        env=ledger_env(db_url),
        check=True,
        stdout=subprocess.DEVNULL,
    )


# How long a started server may take to answer /readyz: generous, as a loaded machine starts
# Python processes slowly; the figures are measured only once it is ready.
READY_SECONDS = 180


@dataclass(frozen=True)
class Server:
    port: int
    pid: int


@contextlib.contextmanager
def ledger_server(db_url: str, workers: int) -> Iterator[Server]:
    cmd = [sys.executable, "-m", "ledger.cli", "serve", "--host", "127.0.0.1"]
    with app_server([*cmd, "--workers", str(workers)], ledger_env(db_url)) as server:
        yield server


@contextlib.contextmanager
def app_server(cmd: list[str], env: dict[str, str]) -> Iterator[Server]:
    """An HTTP server started by ``cmd`` (which takes ``--port``), once its /readyz is 200."""
    port = free_port()
    proc = subprocess.Popen([*cmd, "--port", str(port)], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + READY_SECONDS
        last = "no answer"
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[2]} exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    if r.status == 200:
                        break
            except urllib.error.HTTPError as e:
                last = f"{e.code} {e.read()[:300]!r}"
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                last = repr(e)
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{cmd[2]} did not become ready in {READY_SECONDS} s (last /readyz: {last})"
                )
            time.sleep(0.2)
        yield Server(port, proc.pid)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

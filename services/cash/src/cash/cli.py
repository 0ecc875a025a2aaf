"""The cash service's command line: serve, migrate, import, process, openapi."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path

from cash.settings import Settings
from servicekit.auth import cli as keys_cli


def migrate(settings: Settings) -> None:
    from alembic import command
    from alembic.config import Config

    from cash.bootstrap import database_url

    cfg = Config(str(Path(__file__).parent / "migrations" / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", database_url(settings).replace("%", "%%"))
    command.upgrade(cfg, "head")
    print("cash database is at the latest schema")


async def _import(settings: Settings, path: Path, raw: bytes, fmt: str | None, actor: str) -> int:
    from cash.adapters.formats import parse
    from cash.application.importing import import_file
    from cash.bootstrap import build
    from cash.domain.errors import CashError

    service = build(settings)
    try:
        await service.consumer.run_until_caught_up(max_seconds=30)
        done = await import_file(
            service.app.uow,
            raw,
            filename=path.name,
            actor=actor,
            clock=service.clock,
            parse=lambda raw, fid: parse(raw, fid, fmt),
        )
        outcomes = await service.app.process(file_id=done.record.file_id)
    except CashError as e:
        print(f"refused ({e.rule}): {e.detail}", file=sys.stderr)
        return 2
    finally:
        await service.close()
    r = done.record
    print(
        f"{r.filename}: {r.format}, {r.lines} lines, {r.new_lines} new"
        + (" (imported before)" if done.replayed else "")
        + f"; file id {r.file_id}"
    )
    for outcome, n in sorted(outcomes.items()):
        print(f"  {outcome}: {n}")
    return 0


async def _process(settings: Settings) -> int:
    from cash.bootstrap import build

    service = build(settings)
    try:
        await service.consumer.run_until_caught_up(max_seconds=30)
        outcomes = await service.app.process()
    finally:
        await service.close()
    print(json.dumps(dict(outcomes)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cash", description="Cash application service")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the HTTP API and follow the ledger's events")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    sub.add_parser("migrate", help="apply the database migrations")
    imp = sub.add_parser("import", help="import a statement file, match and post its lines")
    imp.add_argument("file", type=Path)
    imp.add_argument("--format", choices=["camt.053", "camt.054", "mt940"], default=None)
    imp.add_argument("--actor", default="cli")
    sub.add_parser("process", help="match and post every line still waiting")
    sub.add_parser("openapi", help="print the OpenAPI document")
    keys_cli.add_parser(sub)
    args = parser.parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    for noisy in ("alembic", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.command == "migrate":
        migrate(settings)
        return 0
    if args.command == "api-keys":
        from cash.bootstrap import database_url

        return keys_cli.main(args, database_url(settings))
    if args.command == "import":
        return asyncio.run(
            _import(settings, args.file, args.file.read_bytes(), args.format, args.actor)
        )
    if args.command == "process":
        return asyncio.run(_process(settings))
    if args.command == "openapi":
        from cash.adapters.http.app import create_app

        print(json.dumps(create_app(settings=settings).openapi(), indent=2, sort_keys=True))
        return 0
    import uvicorn

    uvicorn.run(
        "cash.adapters.http.asgi:app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level.lower(),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

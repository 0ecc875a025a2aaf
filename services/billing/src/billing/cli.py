"""billing's command line: serve, migrate, run --as-of, openapi."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import date
from pathlib import Path

from billing.settings import Settings
from servicekit.auth import cli as keys_cli


def migrate(settings: Settings) -> None:
    from alembic import command
    from alembic.config import Config

    from billing.bootstrap import database_url

    cfg = Config(str(Path(__file__).parent / "migrations" / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", database_url(settings).replace("%", "%%"))
    command.upgrade(cfg, "head")
    print("billing database is at the latest schema")


async def _run(settings: Settings, as_of: date, actor: str) -> int:
    from billing.bootstrap import build
    from billing.domain.errors import BillingError

    b = build(settings)
    try:
        report = await b.runs.run(as_of, actor)
        if b.publisher is not None:
            await b.publisher.publish_pending()
    except BillingError as e:
        print(f"refused: {e.detail}", file=sys.stderr)
        return 2
    finally:
        await b.close()
    s = report.summary
    print(f"billing run {report.run_id} as of {as_of}: {report.status}")
    print(
        f"  policies seen {s['policies_seen']}, billed {s['policies_billed']}, "
        f"documents resent {s['resent']}"
    )
    for kind, n in sorted(s["documents"].items()):
        print(f"  {kind}: {n}")
    for currency, totals in s["totals"].items():
        print(f"  {currency}: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    for skipped in s["skipped"]:
        print(f"  skipped {skipped['policy_id']}: {skipped['reason']}")
    for rejected in s["rejected"]:
        print(f"  rejected {rejected['document_id']}: {rejected['detail']}")
    if report.error:
        print(f"  stopped: {report.error} (run again to continue)", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="billing", description="Premium billing")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    sub.add_parser("migrate", help="apply the database migrations (billing's own database)")
    run = sub.add_parser("run", help="bill every policy due on or before a date (safe to repeat)")
    run.add_argument("--as-of", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    run.add_argument("--actor", default="cli", help="who runs it (recorded on every event)")
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
        from billing.bootstrap import database_url

        return keys_cli.main(args, database_url(settings))
    if args.command == "run":
        return asyncio.run(_run(settings, args.as_of, args.actor))
    if args.command == "openapi":
        from billing.adapters.http.app import create_app

        print(json.dumps(create_app(settings=settings).openapi(), indent=2, sort_keys=True))
        return 0
    import uvicorn

    uvicorn.run(
        "billing.adapters.http.asgi:app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level.lower(),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

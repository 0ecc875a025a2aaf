"""The console's command line: serve, demo, openapi."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from console.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="console", description="Receivables web console")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the web console")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    sub.add_parser("openapi", help="print the OpenAPI document")
    from console.demo.cli import add_arguments

    add_arguments(
        sub.add_parser("demo", help="load a demo year into the running services (idempotent)")
    )
    args = parser.parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)

    if args.command == "demo":
        from console.demo import cli as demo

        return demo.main(settings, args)
    if args.command == "openapi":
        from console.adapters.web.app import create_app

        print(json.dumps(create_app(settings=settings).openapi(), indent=2, sort_keys=True))
        return 0
    import uvicorn

    uvicorn.run(
        "console.adapters.web.asgi:app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level.lower(),
        access_log=settings.access_log,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""billing's command line: serve, migrate, run --as-of, openapi."""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path

from billing.settings import Settings
from servicekit import cli as service_cli
from servicekit.progress import Progress


def migrate(settings: Settings) -> None:
    service_cli.migrate(
        Path(__file__).parent / "migrations", settings.required_database_url(), "billing"
    )


async def _run(settings: Settings, as_of: date, actor: str) -> int:
    from billing.bootstrap import build
    from billing.domain.errors import BillingError

    b = build(settings)
    try:
        with Progress("billing run", unit="policy", units="policies") as shown:
            report = await b.runs.run(as_of, actor, lambda n, total: shown.reach(n, total=total))
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
    parser, sub = service_cli.parser("billing", "Premium billing", "serve the HTTP API")
    run = sub.add_parser("run", help="bill every policy due on or before a date (safe to repeat)")
    run.add_argument("--as-of", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    run.add_argument("--actor", default="cli", help="who runs it (recorded on every event)")
    args = parser.parse_args(argv)
    settings = Settings()
    service_cli.configure_logging(settings.log_level)
    if args.command == "run":
        return asyncio.run(_run(settings, args.as_of, args.actor))
    return service_cli.run_common(
        args, service_cli.common("billing", settings, limits=settings.limits())
    )


if __name__ == "__main__":
    sys.exit(main())

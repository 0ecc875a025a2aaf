"""dunning's command line: serve, migrate, run --as-of, replay, dead-letters, policies, openapi."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date
from pathlib import Path

from dunning.settings import Settings
from eventfeed import deadletters as dead_letters
from servicekit import cli as service_cli


def migrate(settings: Settings) -> None:
    service_cli.migrate(
        Path(__file__).parent / "migrations", settings.required_database_url(), "dunning"
    )


async def _run(settings: Settings, as_of: date) -> int:
    from dunning.application.runs import check_run_date, run
    from dunning.bootstrap import build
    from dunning.domain.errors import RuleViolation
    from servicekit.transient import StepFailed

    d = build(settings)
    try:
        today = d.clock.today()
        try:  # refused before catching up: nothing to wait for
            await check_run_date(d.uow, as_of, today)
        except RuleViolation as e:
            print(f"refused ({e.rule}): {e.detail}", file=sys.stderr)
            return 2
        try:
            caught_up = await d.consumer().run_until_caught_up(max_seconds=120)
        except TimeoutError as e:  # the ledger's feed unreachable or refusing the credential
            print(f"refused (consumer-behind): {e}; nothing was run", file=sys.stderr)
            return 1
        try:
            report = await run(d.uow, d.policies, as_of, today, d.run_retries())
        except StepFailed as e:
            print(f"stopped: {e}", file=sys.stderr)
            return 1
        delivered = await d.effects.deliver()
        if d.publisher is not None:
            await d.publisher.publish_pending()
    finally:
        await d.close()
    print(
        f"dunning run for {as_of} (run #{report.run_number} of that date): "
        f"{caught_up} ledger events caught up, {report.accounts} accounts"
    )
    for name, n in sorted(report.events.items()):
        print(f"  {name}: {n}")
    if not report.events:
        print("  no new actions")
    for reason, n in report.retries.items():
        print(f"  {n} steps run again after a transient database failure ({reason})")
    print(
        f"  delivered {delivered.notices} notices, posted {delivered.fees} fees"
        + (f", {delivered.failures} failures (retried later)" if delivered.failures else "")
    )
    return 0


async def _replay(settings: Settings) -> int:
    from dunning.bootstrap import build

    d = build(settings)
    try:
        report = await d.replay()
    finally:
        await d.close()
    print(f"replayed {report.events} ledger events into {report.accounts} accounts")
    for account_id in report.differ:
        print(f"  differs from the live projection: {account_id}")
    if not report.differ:
        print("  rebuilt projection is identical to the live one")
    return 1 if report.differ else 0


def _policies(settings: Settings) -> int:
    from dunning.adapters.policy_file import load_policies
    from dunning.domain.errors import PolicyFileError

    try:
        policies = load_policies(settings.policy_file)
    except PolicyFileError as e:
        print(e.detail, file=sys.stderr)
        return 2
    print(json.dumps(policies.model_dump(mode="json"), indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser, sub = service_cli.parser(
        "dunning",
        "Dunning and credit control",
        "serve the HTTP API (and follow the ledger's events)",
        migrate_help="apply the database migrations (dunning's own database)",
    )
    run = sub.add_parser("run", help="the dunning run for a business date (idempotent)")
    run.add_argument("--as-of", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    sub.add_parser("replay", help="rebuild the receivables projection from ledger event 0")
    dead_letters.add_command(sub)
    sub.add_parser("policies", help="validate and print the dunning policies")
    args = parser.parse_args(argv)
    settings = Settings()
    service_cli.configure_logging(settings.log_level)
    if args.command == "run":
        return asyncio.run(_run(settings, args.as_of))
    if args.command == "replay":
        return asyncio.run(_replay(settings))
    if args.command == "dead-letters":
        from dunning.bootstrap import build

        return asyncio.run(dead_letters.run_command(lambda: build(settings), args))
    if args.command == "policies":
        return _policies(settings)
    return service_cli.run_common(
        args, service_cli.common("dunning", settings, limits=settings.limits())
    )


if __name__ == "__main__":
    sys.exit(main())

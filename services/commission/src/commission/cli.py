"""The commission service's command line: serve, migrate, settle, replay, dead-letters, openapi."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from commission.settings import Settings
from eventfeed import deadletters as dead_letters
from servicekit import cli as service_cli


def migrate(settings: Settings) -> None:
    service_cli.migrate(
        Path(__file__).parent / "migrations", settings.required_database_url(), "commission"
    )


async def _settle(settings: Settings, period: str) -> int:
    from commission.application.settlement import caught_up, settleable
    from commission.application.statements import settle_period
    from commission.bootstrap import build
    from commission.domain.errors import CommissionError, RuleViolation
    from commission.domain.money import format_minor
    from servicekit.transient import StepFailed

    service = build(settings)
    try:
        now = service.clock.now()
        settleable(period, now)
        await caught_up(service.consumer, settings.settle_catch_up_seconds)
        rows, replayed = await settle_period(service.uow, period, now, service.settle_retries())
    except CommissionError as e:
        print(f"refused ({e.rule}): {e.detail}", file=sys.stderr)
        return 2 if isinstance(e, RuleViolation) else 1
    except StepFailed as e:
        print(f"stopped: {e}", file=sys.stderr)
        return 1
    finally:
        await service.close()
    print(f"period {period}: {len(rows)} statements" + (" (already settled)" if replayed else ""))
    for r in rows:
        net = r.opening + r.accruals - r.clawbacks
        print(f"  {r.statement_id}: net {format_minor(net, r.currency)} {r.currency}")
    return 0


async def _replay(settings: Settings) -> int:
    from commission.adapters.postgres.books import reset_derived
    from commission.bootstrap import build
    from eventfeed import replay

    service = build(settings)
    try:
        handled = await replay(service.replay_consumer(), reset_derived)
    finally:
        await service.close()
    print(f"replayed {handled} ledger events from position 0")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser, sub = service_cli.parser(
        "commission", "Broker commission service", "serve the HTTP API and consume ledger events"
    )
    settle = sub.add_parser("settle", help="settle a period (idempotent)")
    settle.add_argument("--period", required=True, help="YYYY-MM")
    sub.add_parser("replay", help="rebuild accruals from ledger position 0 (stop `serve` first)")
    dead_letters.add_command(sub)
    args = parser.parse_args(argv)
    settings = Settings()
    service_cli.configure_logging(settings.log_level)
    if args.command == "settle":
        return asyncio.run(_settle(settings, args.period))
    if args.command == "replay":
        return asyncio.run(_replay(settings))
    if args.command == "dead-letters":
        from commission.bootstrap import build

        return asyncio.run(dead_letters.run_command(lambda: build(settings), args))
    return service_cli.run_common(
        args, service_cli.common("commission", settings, limits=settings.limits())
    )


if __name__ == "__main__":
    sys.exit(main())

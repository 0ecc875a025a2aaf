"""The cash service's command line: serve, migrate, import, process, collect, openapi."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from cash.settings import Settings
from servicekit import cli as service_cli
from servicekit.progress import Progress

if TYPE_CHECKING:
    from cash.bootstrap import Cash


def migrate(settings: Settings) -> None:
    service_cli.migrate(
        Path(__file__).parent / "migrations", settings.required_database_url(), "cash"
    )


async def _on_service(settings: Settings, command: Callable[[Cash], Awaitable[int]]) -> int:
    """Run ``command`` on the service once it has caught up with the ledger's feed; a
    refusal by one of cash's rules exits 2, a feed it cannot follow or a database step that
    kept failing exits 1."""
    from cash.bootstrap import build
    from cash.domain.errors import CashError
    from servicekit.transient import StepFailed

    service = build(settings)
    try:
        await service.consumer.run_until_caught_up(max_seconds=30)
        return await command(service)
    except CashError as e:
        print(f"refused ({e.rule}): {e.detail}", file=sys.stderr)
        return 2
    except TimeoutError as e:  # the ledger's feed unreachable or refusing cash's credential
        print(f"refused (consumer-behind): {e}", file=sys.stderr)
        return 1
    except StepFailed as e:  # lines still waiting: `cash process` resumes
        print(f"stopped: {e}", file=sys.stderr)
        return 1
    finally:
        await service.close()


async def _import(service: Cash, path: Path, raw: bytes, fmt: str | None, actor: str) -> int:
    from cash.adapters.formats import parse
    from cash.application.importing import import_file

    done = await import_file(
        service.app.uow,
        raw,
        filename=path.name,
        actor=actor,
        clock=service.clock,
        parse=lambda raw, fid: parse(raw, fid, fmt),
        bank_accounts=service.app.bank_accounts,
    )
    with Progress("import", unit="line", total=done.record.new_lines or None) as shown:
        outcomes = await service.app.process(
            file_id=done.record.file_id,
            progress=lambda page: shown.advance(page.total(), **page),
        )
    r = done.record
    print(
        f"{r.filename}: {r.format}, {r.lines} lines, {r.new_lines} new"
        + (" (imported before)" if done.replayed else "")
        + f"; file id {r.file_id}"
    )
    for outcome, n in sorted(outcomes.items()):
        print(f"  {outcome}: {n}")
    return 0


async def _process(service: Cash) -> int:
    with Progress("process", unit="line") as shown:
        outcomes = await service.app.process(
            progress=lambda page: shown.advance(page.total(), **page)
        )
    print(json.dumps(dict(outcomes)))
    return 0


async def _collect(service: Cash, on: date, actor: str) -> int:
    from cash.adapters.postgres.debits import PostgresDebits
    from cash.domain.money import decimal_string

    def progress(step: str, done: int, of: int) -> None:
        if done == of or done % 100 == 0:
            print(f"  {step}: {done}/{of}", file=sys.stderr)

    outcome = await service.collections.run(on, actor=actor, progress=progress)
    async with service.engine.connect() as conn:
        store = PostgresDebits(conn)
        summary = await store.summary(outcome.run.run_id)
        files = await store.files(outcome.run.run_id)
    run = outcome.run
    print(f"{run.run_id}: {run.status}" + (" (run before)" if outcome.replayed else ""))
    for s in summary:
        amount = decimal_string(int(str(s["amount"])), str(s["currency"]))
        print(f"  {s['status']} {s['scheme']}: {s['debits']} debits, {amount} {s['currency']}")
    for f in files:
        print(f"  file {f.name}: {f.items} debits")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser, sub = service_cli.parser(
        "cash", "Cash application service", "serve the HTTP API and follow the ledger's events"
    )
    imp = sub.add_parser("import", help="import a statement file, match and post its lines")
    imp.add_argument("file", type=Path)
    imp.add_argument("--format", choices=["camt.053", "camt.054", "mt940"], default=None)
    imp.add_argument("--actor", default="cli")
    sub.add_parser("process", help="match and post every line still waiting")
    collect = sub.add_parser(
        "collect", help="run the direct-debit collection of a date (idempotent per date)"
    )
    collect.add_argument("--date", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    collect.add_argument("--actor", default="cli")
    args = parser.parse_args(argv)
    settings = Settings()
    service_cli.configure_logging(settings.log_level)
    if args.command == "import":
        raw = args.file.read_bytes()
        return asyncio.run(
            _on_service(settings, lambda c: _import(c, args.file, raw, args.format, args.actor))
        )
    if args.command == "process":
        return asyncio.run(_on_service(settings, _process))
    if args.command == "collect":
        return asyncio.run(_on_service(settings, lambda c: _collect(c, args.date, args.actor)))
    return service_cli.run_common(
        args, service_cli.common("cash", settings, limits=settings.limits())
    )


if __name__ == "__main__":
    sys.exit(main())

"""Importing a statement file: kept whole, deduplicated, all or nothing.

The file's SHA-256 is its import id: the same bytes imported again change nothing and
answer the first import. Each line's id comes from its bank account and entry reference,
so an entry that a later file repeats (an intraday notification, then the day's statement)
is not added twice. Parsing happens before anything is written: a bad file is refused with
the line at fault and leaves no trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from cash.application.ports import Clock, ImportRecord, UnitOfWork
from cash.application.scope import Scope, sees, sees_all
from cash.domain.bank_accounts import BankAccounts
from cash.domain.errors import InvalidStatement, OutsideJurisdiction
from cash.domain.statement import StatementLine, file_id
from servicekit.types import DATE_RANGE, FIRST_DAY, LAST_DAY

Parse = Callable[[bytes, str], tuple[str, list[StatementLine]]]
"""(raw bytes, file id) -> (format name, lines); raises InvalidStatement."""

MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Imported:
    record: ImportRecord
    replayed: bool  # the same file was imported before: nothing changed


async def import_file(
    uow: UnitOfWork,
    raw: bytes,
    *,
    filename: str,
    actor: str,
    clock: Clock,
    parse: Parse,
    bank_accounts: BankAccounts,
    partner: str | None = None,
    scope: Scope = None,
) -> Imported:
    """``partner``: the payment partner (bank, gateway, e-wallet) whose settlement file this
    is; its lines are reconciled against what that partner was expected to settle. Each
    line takes the jurisdiction of its bank account (``bank_accounts``; an account not
    configured refuses the file); a caller whose ``scope`` lacks one of them is refused."""
    if not raw.strip():
        raise InvalidStatement("the file is empty")
    if len(raw) > MAX_BYTES:
        raise InvalidStatement(f"the file is larger than {MAX_BYTES // 1024 // 1024} MiB")
    fid = file_id(raw)
    async with uow() as store:
        found = await store.find_import(fid)
    if found is not None:
        return _replayed(found, scope)
    fmt, lines = parse(raw, fid)
    _dated_in_range(lines)
    jurisdictions = bank_accounts.of_lines(lines)
    for account, jurisdiction in sorted(jurisdictions.items()):
        if not sees(scope, jurisdiction):
            raise OutsideJurisdiction(
                f"the bank account {account} is {jurisdiction}'s, outside the caller's "
                "jurisdictions",
                field="body",
            )
    seen: set[str] = set()
    for line in lines:
        if line.line_id in seen:
            raise InvalidStatement(
                f"entry reference {line.entry_ref!r} appears twice in the file", line=line.line_no
            )
        seen.add(line.line_id)
    async with uow() as store:
        found = await store.find_import(fid)  # a concurrent import of the same file
        if found is not None:
            return _replayed(found, scope)
        record = ImportRecord(
            fid,
            fmt,
            filename,
            clock.now(),
            actor,
            len(lines),
            0,
            partner,
            frozenset(jurisdictions.values()),
        )
        await store.add_import(record, raw)
        added = await store.add_lines(fid, lines, partner, jurisdictions)
        await store.set_new_lines(fid, added)
        record = replace(record, new_lines=added)
    return Imported(record, False)


def _dated_in_range(lines: list[StatementLine]) -> None:
    """Every date a business date: the ledger refuses a payment dated outside the range,
    and a day's arithmetic near year 1 or 9999 overflows."""
    for line in lines:
        for name, day in (("value date", line.value_date), ("booking date", line.booking_date)):
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                raise InvalidStatement(f"the {name} {day} is not {DATE_RANGE}", line=line.line_no)


def _replayed(found: ImportRecord, scope: Scope) -> Imported:
    """The same file again answers its import, to a caller who may see all of it."""
    if not sees_all(scope, found.jurisdictions):
        raise OutsideJurisdiction(
            "the file was imported before, for bank accounts outside the caller's jurisdictions",
            field="body",
        )
    return Imported(found, True)

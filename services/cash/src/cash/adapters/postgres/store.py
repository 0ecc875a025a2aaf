"""Every SQL statement of the cash service: imports, lines and the account directory."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from cash.application.ports import DirectoryAccount, ImportRecord, LineRecord, Outcome
from cash.application.scope import Scope, param
from cash.domain.statement import Direction, StatementLine

_LINE_COLUMNS = (
    "line_id, file_id, line_no, bank_account, entry_ref, direction, amount, currency, "
    "value_date, booking_date, payer_name, remittance, end_to_end_id, return_code, "
    "original_ref, status, score, account_id, postings, suggestions, note, suspense_account, fee, "
    "jurisdiction"
)


def in_scope(column: str) -> str:
    """SQL: ``column`` is one of the ``:scope`` jurisdictions (a NULL scope: every one)."""
    return f"(CAST(:scope AS text[]) IS NULL OR {column} = ANY(CAST(:scope AS text[])))"


def in_scope_any(jurisdictions: str) -> str:
    """SQL: one of ``jurisdictions`` (a subquery of one column) is one of the ``:scope``
    jurisdictions (a NULL scope: every one)."""
    return (
        "(CAST(:scope AS text[]) IS NULL OR EXISTS (SELECT 1 FROM "
        f"{jurisdictions} AS j(jurisdiction) WHERE j.jurisdiction = ANY(CAST(:scope AS text[]))))"
    )


def _line(row: RowMapping) -> LineRecord:
    line = StatementLine(
        line_no=row["line_no"],
        bank_account=row["bank_account"],
        entry_ref=row["entry_ref"],
        direction=Direction(row["direction"]),
        amount=row["amount"],
        currency=row["currency"],
        value_date=row["value_date"],
        booking_date=row["booking_date"],
        payer_name=row["payer_name"],
        remittance=row["remittance"],
        end_to_end_id=row["end_to_end_id"],
        return_code=row["return_code"],
        original_ref=row["original_ref"],
        fee=row["fee"],
    )
    return LineRecord(
        line,
        row["file_id"],
        row["status"],
        row["score"],
        row["account_id"],
        list(row["postings"]),
        list(row["suggestions"]),
        row["note"],
        row["suspense_account"],
        row["jurisdiction"],
    )


def _import(row: RowMapping) -> ImportRecord:
    return ImportRecord(
        row["file_id"],
        row["format"],
        row["filename"],
        row["imported_at"],
        row["imported_by"],
        row["lines"],
        row["new_lines"],
        row["partner_id"],
        None if row["jurisdictions"] is None else frozenset(row["jurisdictions"]),
    )


class PostgresStore:
    """The application's :class:`~cash.application.ports.Store` on one transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def find_import(self, file_id: str) -> ImportRecord | None:
        row = (
            (
                await self.conn.execute(
                    text("SELECT * FROM imports WHERE file_id = :f"), {"f": file_id}
                )
            )
            .mappings()
            .first()
        )
        return _import(row) if row else None

    async def imports(self, limit: int = 100, scope: Scope = None) -> list[ImportRecord]:
        """The newest imports whose every bank account is within ``scope``."""
        rows = await self.conn.execute(
            text(
                "SELECT * FROM imports WHERE CAST(:scope AS text[]) IS NULL "
                "OR jurisdictions <@ CAST(:scope AS text[]) ORDER BY imported_at DESC LIMIT :n"
            ),
            {"n": limit, "scope": param(scope)},
        )
        return [_import(r) for r in rows.mappings()]

    async def raw(self, file_id: str) -> bytes | None:
        value = await self.conn.scalar(
            text("SELECT raw FROM imports WHERE file_id = :f"), {"f": file_id}
        )
        return bytes(value) if value is not None else None

    async def add_import(self, record: ImportRecord, raw: bytes) -> None:
        await self.conn.execute(
            text(
                "INSERT INTO imports (file_id, format, filename, raw, imported_at, imported_by, "
                "lines, new_lines, partner_id, jurisdictions) VALUES (:f, :fmt, :name, :raw, :at, "
                ":by, :n, :new, :partner, :j)"
            ),
            {
                "f": record.file_id,
                "fmt": record.format,
                "name": record.filename,
                "raw": raw,
                "at": record.imported_at,
                "by": record.imported_by,
                "n": record.lines,
                "new": record.new_lines,
                "partner": record.partner_id,
                "j": None if record.jurisdictions is None else sorted(record.jurisdictions),
            },
        )

    async def set_new_lines(self, file_id: str, count: int) -> None:
        await self.conn.execute(
            text("UPDATE imports SET new_lines = :n WHERE file_id = :f"), {"n": count, "f": file_id}
        )

    async def add_lines(
        self,
        file_id: str,
        lines: Sequence[StatementLine],
        partner_id: str | None = None,
        jurisdictions: Mapping[str, str] | None = None,
    ) -> int:
        """Insert the lines not seen before (by bank account and entry reference); the count
        of those new to the file. ``partner_id``: the payment partner that settled them;
        ``jurisdictions``: bank account -> its jurisdiction."""
        of = jurisdictions or {}
        for start in range(0, len(lines), 1000):
            chunk = lines[start : start + 1000]
            await self.conn.execute(
                text(
                    "INSERT INTO lines (line_id, file_id, line_no, bank_account, entry_ref, "
                    "direction, amount, currency, value_date, booking_date, payer_name, "
                    "remittance, end_to_end_id, return_code, original_ref, status, partner_id, "
                    "fee, jurisdiction) "
                    "VALUES (:id, :file, :no, :acct, :ref, :dir, :amount, :ccy, :vd, :bd, "
                    ":payer, :rmt, :e2e, :rc, :orig, 'new', :partner, :fee, :j) "
                    "ON CONFLICT DO NOTHING"
                ),
                [
                    {
                        "id": ln.line_id,
                        "file": file_id,
                        "no": ln.line_no,
                        "acct": ln.bank_account,
                        "ref": ln.entry_ref,
                        "dir": ln.direction.value,
                        "amount": ln.amount,
                        "ccy": ln.currency,
                        "vd": ln.value_date,
                        "bd": ln.booking_date,
                        "payer": ln.payer_name,
                        "rmt": ln.remittance,
                        "e2e": ln.end_to_end_id,
                        "rc": ln.return_code,
                        "orig": ln.original_ref,
                        "partner": partner_id,
                        "fee": ln.fee,
                        "j": of.get(ln.bank_account),
                    }
                    for ln in chunk
                ],
            )
        added = await self.conn.scalar(
            text("SELECT count(*) FROM lines WHERE file_id = :f"), {"f": file_id}
        )
        return int(added or 0)

    async def lines(
        self,
        *,
        file_id: str | None = None,
        status: str | None = None,
        limit: int = 1000,
        after: str = "",
        scope: Scope = None,
    ) -> list[LineRecord]:
        rows = await self.conn.execute(
            text(
                f"SELECT {_LINE_COLUMNS} FROM lines WHERE line_id > :after "
                "AND (CAST(:file AS text) IS NULL OR file_id = :file) "
                "AND (CAST(:status AS text) IS NULL OR status = :status) "
                f"AND {in_scope('jurisdiction')} "
                "ORDER BY line_id LIMIT :n"
            ),
            {"after": after, "file": file_id, "status": status, "n": limit, "scope": param(scope)},
        )
        return [_line(r) for r in rows.mappings()]

    async def counts(self, file_id: str | None = None) -> dict[str, int]:
        rows = await self.conn.execute(
            text(
                "SELECT status, count(*) AS n FROM lines "
                "WHERE CAST(:file AS text) IS NULL OR file_id = :file GROUP BY status"
            ),
            {"file": file_id},
        )
        return {r["status"]: r["n"] for r in rows.mappings()}

    async def line(self, line_id: str, *, lock: bool = False) -> LineRecord | None:
        sql = f"SELECT {_LINE_COLUMNS} FROM lines WHERE line_id = :id"
        row = (
            (await self.conn.execute(text(sql + (" FOR UPDATE" if lock else "")), {"id": line_id}))
            .mappings()
            .first()
        )
        return _line(row) if row else None

    async def line_by_end_to_end(self, end_to_end_id: str) -> LineRecord | None:
        row = (
            (
                await self.conn.execute(
                    text(
                        f"SELECT {_LINE_COLUMNS} FROM lines WHERE end_to_end_id = :e "
                        "AND direction = 'credit' ORDER BY line_id LIMIT 1"
                    ),
                    {"e": end_to_end_id},
                )
            )
            .mappings()
            .first()
        )
        return _line(row) if row else None

    async def set_outcome(
        self,
        line_id: str,
        status: str,
        *,
        at: datetime,
        actor: str,
        score: int | None = None,
        account_id: str | None = None,
        postings: list[dict[str, Any]] | None = None,
        suggestions: list[dict[str, Any]] | None = None,
        note: str = "",
    ) -> None:
        await self.conn.execute(
            text(
                "UPDATE lines SET status = :status, score = :score, account_id = :acct, "
                "postings = CAST(:postings AS jsonb), suggestions = CAST(:sugg AS jsonb), "
                "note = :note, decided_by = :actor, updated_at = :at WHERE line_id = :id"
            ),
            {
                "status": status,
                "score": score,
                "acct": account_id,
                "postings": json.dumps(postings or []),
                "sugg": json.dumps(suggestions or []),
                "note": note,
                "actor": actor,
                "at": at,
                "id": line_id,
            },
        )

    async def lock_new(self, line_ids: Sequence[str]) -> set[str]:
        """Lock those of ``line_ids`` still ``new`` (others' locks skipped); their ids."""
        rows = await self.conn.execute(
            text(
                "SELECT line_id FROM lines WHERE line_id = ANY(:ids) AND status = 'new' "
                "ORDER BY line_id FOR UPDATE SKIP LOCKED"
            ),
            {"ids": list(line_ids)},
        )
        return {r[0] for r in rows}

    async def set_outcomes(self, outcomes: Sequence[Outcome]) -> None:
        if not outcomes:
            return
        await self.conn.execute(
            text(
                "UPDATE lines SET status = :status, score = :score, account_id = :acct, "
                "postings = CAST(:postings AS jsonb), suggestions = CAST(:sugg AS jsonb), "
                "note = :note, decided_by = :actor, updated_at = :at, "
                "suspense_account = COALESCE(:suspense, suspense_account) WHERE line_id = :id"
            ),
            [
                {
                    "status": o.status,
                    "score": o.score,
                    "acct": o.account_id,
                    "postings": json.dumps(o.postings),
                    "sugg": json.dumps(o.suggestions),
                    "note": o.note,
                    "actor": o.actor,
                    "at": o.at,
                    "suspense": o.suspense,
                    "id": o.line_id,
                }
                for o in outcomes
            ],
        )

    async def set_suspense(self, line_id: str, account: str | None) -> None:
        await self.conn.execute(
            text("UPDATE lines SET suspense_account = :a WHERE line_id = :id"),
            {"a": account, "id": line_id},
        )

    async def accounts(self, currency: str) -> list[DirectoryAccount]:
        rows = await self.conn.execute(
            text("SELECT * FROM directory_accounts WHERE currency = :c ORDER BY account_id"),
            {"c": currency},
        )
        return [DirectoryAccount(**r) for r in rows.mappings()]

    async def account(self, account_id: str) -> DirectoryAccount | None:
        row = (
            (
                await self.conn.execute(
                    text("SELECT * FROM directory_accounts WHERE account_id = :a"),
                    {"a": account_id},
                )
            )
            .mappings()
            .first()
        )
        return DirectoryAccount(**row) if row else None

    async def segment(self, account_id: str) -> str | None:
        value = await self.conn.scalar(
            text("SELECT segment FROM account_segments WHERE account_id = :a"), {"a": account_id}
        )
        return str(value) if value is not None else None

    async def set_segment(
        self, account_id: str, segment: str | None, *, at: datetime, actor: str
    ) -> None:
        """``None``: the account has no segment (its jurisdiction's order applies)."""
        if segment is None:
            await self.conn.execute(
                text("DELETE FROM account_segments WHERE account_id = :a"), {"a": account_id}
            )
            return
        await self.conn.execute(
            text(
                "INSERT INTO account_segments VALUES (:a, :s, :at, :by) ON CONFLICT (account_id) "
                "DO UPDATE SET segment = EXCLUDED.segment, set_at = EXCLUDED.set_at, "
                "set_by = EXCLUDED.set_by"
            ),
            {"a": account_id, "s": segment, "at": at, "by": actor},
        )

    async def referenced(self, tokens: Sequence[str]) -> dict[str, set[str]]:
        rows = await self.conn.execute(
            text("SELECT ref_key, account_id FROM directory_refs WHERE ref_key = ANY(:t)"),
            {"t": list(tokens)},
        )
        out: dict[str, set[str]] = {}
        for r in rows.mappings():
            out.setdefault(r["account_id"], set()).add(r["ref_key"])
        return out


def unit_of_work(engine: AsyncEngine) -> Any:
    @asynccontextmanager
    async def uow() -> AsyncIterator[PostgresStore]:
        async with engine.begin() as conn:
            yield PostgresStore(conn)

    return uow

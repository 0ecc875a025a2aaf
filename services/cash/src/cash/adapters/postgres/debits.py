"""Every SQL statement of auto-debit: mandate events and state, collection runs, their
debits and files."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from cash.adapters.postgres.store import PostgresStore, in_scope
from cash.application.debit_ports import DebitFile, ItemRecord, MandateChange, RunRecord
from cash.application.scope import Scope, param
from cash.domain.collection import Debit
from cash.domain.errors import Conflict
from cash.domain.mandates import (
    DETAILS,
    Details,
    Event,
    Mandate,
    MandateAmended,
    MandateCancelled,
    MandateRegistered,
)

_KINDS: dict[str, type[Any]] = {
    "MandateRegistered": MandateRegistered,
    "MandateAmended": MandateAmended,
    "MandateCancelled": MandateCancelled,
}


def event_data(event: Event) -> dict[str, Any]:
    """The event as JSON: dates as ISO strings; actor, reason and time are columns."""
    data = asdict(event)
    for key in ("type", "actor", "reason", "recorded_at"):
        data.pop(key)
    if isinstance(event, MandateRegistered):
        data["signed_on"] = event.signed_on.isoformat()
    return data


def _event(row: RowMapping) -> Event:
    data = dict(row["data"])
    kind = _KINDS[row["event_type"]]
    extra = {"actor": row["actor"], "reason": row["reason"], "recorded_at": row["recorded_at"]}
    if kind is MandateRegistered:
        data["signed_on"] = date.fromisoformat(data["signed_on"])
        data["details"] = Details(**data["details"])
    event: Event = kind(**data, **extra)
    return event


def _mandate(row: RowMapping) -> Mandate:
    return Mandate(
        row["mandate_id"],
        row["account_id"],
        row["currency"],
        row["jurisdiction"],
        row["scheme"],
        row["signed_on"],
        Details(**{k: row[k] for k in DETAILS}),
        row["status"],
        row["version"],
    )


def _item(row: RowMapping) -> ItemRecord:
    debit = Debit(
        row["end_to_end_id"],
        row["mandate_id"],
        row["account_id"],
        row["invoice_id"],
        row["due_date"],
        row["amount"],
        row["currency"],
        row["scheme"],
        row["signed_on"],
        Details(**{k: row[k] for k in DETAILS}),
    )
    return ItemRecord(
        debit,
        row["run_id"],
        row["status"],
        row["note"],
        row["return_code"],
        row["returned_on"],
        row["jurisdiction"],
    )


# A debit is its mandate's jurisdiction's (its account's).
_ITEMS = (
    "SELECT c.*, (SELECT m.jurisdiction FROM mandates m WHERE m.mandate_id = c.mandate_id) "
    "AS jurisdiction FROM collection_items c"
)
_ITEM_IN_SCOPE = in_scope(
    "(SELECT m.jurisdiction FROM mandates m WHERE m.mandate_id = c.mandate_id)"
)


def _run(row: RowMapping) -> RunRecord:
    return RunRecord(
        row["run_id"],
        row["collection_date"],
        row["status"],
        row["requested_by"],
        row["requested_at"],
        row["finished_at"],
    )


class PostgresDebits(PostgresStore):
    """:class:`~cash.application.debit_ports.DebitStore` on one transaction (the account
    directory is the statement store's)."""

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn)

    async def _rows(self, sql: str, params: dict[str, Any]) -> list[RowMapping]:
        return list((await self.conn.execute(text(sql), params)).mappings())

    # mandates ----------------------------------------------------------------------------

    async def events(self, mandate_id: str) -> list[Event]:
        rows = await self._rows(
            "SELECT * FROM mandate_events WHERE mandate_id = :m ORDER BY version",
            {"m": mandate_id},
        )
        return [_event(r) for r in rows]

    async def history(self, mandate_id: str) -> list[MandateChange]:
        rows = await self._rows(
            "SELECT * FROM mandate_events WHERE mandate_id = :m ORDER BY version",
            {"m": mandate_id},
        )
        return [
            MandateChange(
                r["version"],
                r["event_type"],
                dict(r["data"]),
                r["actor"],
                r["reason"],
                r["recorded_at"],
            )
            for r in rows
        ]

    async def append(self, mandate: Mandate, events: Sequence[Event]) -> None:
        """The events after the mandate's earlier version, and its new state; a concurrent
        writer (same version) or a second active mandate of the account is a Conflict."""
        first = mandate.version - len(events) + 1
        try:
            async with self.conn.begin_nested():
                await self.conn.execute(
                    text(
                        "INSERT INTO mandate_events (mandate_id, version, event_type, data, "
                        "actor, reason, recorded_at) VALUES (:m, :v, :t, CAST(:d AS jsonb), "
                        ":actor, :reason, :at)"
                    ),
                    [
                        {
                            "m": mandate.mandate_id,
                            "v": first + i,
                            "t": e.type,
                            "d": json.dumps(event_data(e)),
                            "actor": e.actor,
                            "reason": e.reason,
                            "at": e.recorded_at,
                        }
                        for i, e in enumerate(events)
                    ],
                )
                await self._save(mandate, events[-1].recorded_at)
        except IntegrityError:
            raise Conflict(
                f"mandate {mandate.mandate_id} or its account changed at the same time; "
                "look again and retry",
                field="mandate_id",
            ) from None

    async def _save(self, m: Mandate, at: datetime) -> None:
        await self.conn.execute(
            text(
                "INSERT INTO mandates VALUES (:m, :a, :ccy, :j, :scheme, :signed, :debtor_name, "
                ":iban, :bic, :partner, :bank_account, :status, :v, :at) "
                "ON CONFLICT (mandate_id) DO UPDATE SET debtor_name = EXCLUDED.debtor_name, "
                "iban = EXCLUDED.iban, bic = EXCLUDED.bic, partner = EXCLUDED.partner, "
                "bank_account = EXCLUDED.bank_account, status = EXCLUDED.status, "
                "version = EXCLUDED.version, updated_at = EXCLUDED.updated_at"
            ),
            {
                "m": m.mandate_id,
                "a": m.account_id,
                "ccy": m.currency,
                "j": m.jurisdiction,
                "scheme": m.scheme,
                "signed": m.signed_on,
                **m.details.as_dict(),
                "status": m.status,
                "v": m.version,
                "at": at,
            },
        )

    async def mandate(self, mandate_id: str) -> Mandate | None:
        rows = await self._rows("SELECT * FROM mandates WHERE mandate_id = :m", {"m": mandate_id})
        return _mandate(rows[0]) if rows else None

    async def active_for(self, account_id: str) -> Mandate | None:
        rows = await self._rows(
            "SELECT * FROM mandates WHERE account_id = :a AND status = 'active'",
            {"a": account_id},
        )
        return _mandate(rows[0]) if rows else None

    async def mandates(
        self,
        *,
        jurisdictions: Collection[str] | None,
        account_id: str | None = None,
        status: str | None = None,
        after: str = "",
        limit: int = 100,
    ) -> list[Mandate]:
        rows = await self._rows(
            "SELECT * FROM mandates WHERE mandate_id > :after "
            f"AND {in_scope('jurisdiction')} "
            "AND (CAST(:a AS text) IS NULL OR account_id = :a) "
            "AND (CAST(:s AS text) IS NULL OR status = :s) ORDER BY mandate_id LIMIT :n",
            {
                "after": after,
                "scope": param(jurisdictions),
                "a": account_id,
                "s": status,
                "n": limit,
            },
        )
        return [_mandate(r) for r in rows]

    # collection runs ---------------------------------------------------------------------

    async def run(self, run_id: str) -> RunRecord | None:
        rows = await self._rows("SELECT * FROM collection_runs WHERE run_id = :r", {"r": run_id})
        return _run(rows[0]) if rows else None

    async def runs(self, *, before: str | None, limit: int, scope: Scope = None) -> list[RunRecord]:
        """The runs before ``before``, newest first; with a ``scope``, those that debited
        an account of its jurisdictions."""
        rows = await self._rows(
            "SELECT * FROM collection_runs r WHERE (CAST(:b AS text) IS NULL OR run_id < :b) "
            "AND (CAST(:scope AS text[]) IS NULL OR EXISTS (SELECT 1 FROM collection_items c "
            f"WHERE c.run_id = r.run_id AND {_ITEM_IN_SCOPE})) "
            "ORDER BY run_id DESC LIMIT :n",
            {"b": before, "n": limit, "scope": param(scope)},
        )
        return [_run(r) for r in rows]

    async def add_run(self, run: RunRecord) -> bool:
        result = await self.conn.execute(
            text(
                "INSERT INTO collection_runs VALUES (:r, :d, :s, :by, :at, NULL) "
                "ON CONFLICT DO NOTHING"
            ),
            {
                "r": run.run_id,
                "d": run.collection_date,
                "s": run.status,
                "by": run.requested_by,
                "at": run.requested_at,
            },
        )
        return bool(result.rowcount)

    async def set_run(self, run_id: str, status: str, at: datetime | None = None) -> None:
        await self.conn.execute(
            text("UPDATE collection_runs SET status = :s, finished_at = :at WHERE run_id = :r"),
            {"s": status, "at": at, "r": run_id},
        )

    async def collected(self, account_ids: Collection[str]) -> set[tuple[str, str]]:
        rows = await self._rows(
            "SELECT account_id, invoice_id FROM collection_items WHERE account_id = ANY(:a)",
            {"a": list(account_ids)},
        )
        return {(r["account_id"], r["invoice_id"]) for r in rows}

    async def add_items(self, run_id: str, debits: Sequence[Debit]) -> int:
        """Store the run's debits; one of an invoice already collected is left out."""
        added = 0
        for start in range(0, len(debits), 1000):
            result = await self.conn.execute(
                text(
                    "INSERT INTO collection_items (end_to_end_id, run_id, mandate_id, "
                    "account_id, invoice_id, due_date, amount, currency, scheme, signed_on, "
                    "debtor_name, iban, bic, partner, bank_account, status) VALUES (:e, :r, "
                    ":m, :a, :i, :due, :amount, :ccy, :scheme, :signed, :debtor_name, :iban, "
                    ":bic, :partner, :bank_account, 'planned') ON CONFLICT DO NOTHING"
                ),
                [
                    {
                        "e": d.end_to_end_id,
                        "r": run_id,
                        "m": d.mandate_id,
                        "a": d.account_id,
                        "i": d.invoice_id,
                        "due": d.due_date,
                        "amount": d.amount,
                        "ccy": d.currency,
                        "scheme": d.scheme,
                        "signed": d.signed_on,
                        **d.details.as_dict(),
                    }
                    for d in debits[start : start + 1000]
                ],
            )
            added += max(result.rowcount, 0)
        return added

    async def items(
        self,
        run_id: str,
        *,
        status: str | None = None,
        after: str = "",
        limit: int = 500,
        scope: Scope = None,
    ) -> list[ItemRecord]:
        rows = await self._rows(
            f"{_ITEMS} WHERE run_id = :r AND end_to_end_id > :after "
            f"AND (CAST(:s AS text) IS NULL OR status = :s) AND {_ITEM_IN_SCOPE} "
            "ORDER BY end_to_end_id LIMIT :n",
            {"r": run_id, "after": after, "s": status, "n": limit, "scope": param(scope)},
        )
        return [_item(r) for r in rows]

    async def item(self, end_to_end_id: str, *, lock: bool = False) -> ItemRecord | None:
        sql = f"{_ITEMS} WHERE end_to_end_id = :e"
        rows = await self._rows(sql + (" FOR UPDATE OF c" if lock else ""), {"e": end_to_end_id})
        return _item(rows[0]) if rows else None

    async def set_item(
        self,
        end_to_end_id: str,
        status: str,
        note: str,
        *,
        return_code: str | None = None,
        returned_on: date | None = None,
    ) -> None:
        await self.conn.execute(
            text(
                "UPDATE collection_items SET status = :s, note = :n, return_code = :c, "
                "returned_on = :on WHERE end_to_end_id = :e"
            ),
            {"s": status, "n": note, "c": return_code, "on": returned_on, "e": end_to_end_id},
        )

    async def count(self, run_id: str, status: str | None = None) -> int:
        n = await self.conn.scalar(
            text(
                "SELECT count(*) FROM collection_items WHERE run_id = :r "
                "AND (CAST(:s AS text) IS NULL OR status = :s)"
            ),
            {"r": run_id, "s": status},
        )
        return int(n or 0)

    async def summary(self, run_id: str, scope: Scope = None) -> list[dict[str, object]]:
        """Debits and amounts by status, scheme and currency (of the jurisdictions in
        ``scope``)."""
        rows = await self._rows(
            "SELECT status, scheme, currency, count(*) AS debits, sum(amount) AS amount "
            f"FROM collection_items c WHERE run_id = :r AND {_ITEM_IN_SCOPE} "
            "GROUP BY status, scheme, currency ORDER BY status, scheme, currency",
            {"r": run_id, "scope": param(scope)},
        )
        return [dict(r) for r in rows]

    async def add_file(self, run_id: str, file: DebitFile) -> None:
        await self.conn.execute(
            text(
                "INSERT INTO collection_files VALUES (:r, :n, :t, :c, :h, :i) "
                "ON CONFLICT DO NOTHING"
            ),
            {
                "r": run_id,
                "n": file.name,
                "t": file.media_type,
                "c": file.content,
                "h": hashlib.sha256(file.content).hexdigest(),
                "i": file.items,
            },
        )

    async def files(self, run_id: str) -> list[DebitFile]:
        rows = await self._rows(
            "SELECT * FROM collection_files WHERE run_id = :r ORDER BY name", {"r": run_id}
        )
        return [
            DebitFile(r["name"], r["media_type"], bytes(r["content"]), r["items"]) for r in rows
        ]


def debit_unit_of_work(engine: AsyncEngine) -> Any:
    @asynccontextmanager
    async def uow() -> AsyncIterator[PostgresDebits]:
        async with engine.begin() as conn:
            yield PostgresDebits(conn)

    return uow

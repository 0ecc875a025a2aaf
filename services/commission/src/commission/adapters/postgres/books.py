"""SQL of the consumer side: invoice books, commission entries, agreements by broker."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from commission.adapters.postgres import schema as s
from commission.adapters.postgres.brokers import agreement_from_row
from commission.application.consumer import Posted, apply_event
from commission.domain.accrual import BookLine, InvoiceBook
from commission.domain.agreements import Agreement, Basis
from eventfeed import LedgerEvent


def _line_json(line: BookLine) -> dict[str, Any]:
    return {
        "line_no": line.line_no,
        "amount": line.amount,
        "product": line.product,
        "policy_id": line.policy_id,
        "policy_year": line.policy_year,
        "broker_id": line.broker_id,
        "agreement_id": line.agreement_id,
        "basis": line.basis.value if line.basis else None,
        "rate": str(line.rate) if line.rate is not None else None,
    }


def _line(raw: dict[str, Any]) -> BookLine:
    return BookLine(
        line_no=raw["line_no"],
        amount=raw["amount"],
        product=raw["product"],
        policy_id=raw["policy_id"],
        policy_year=raw["policy_year"],
        broker_id=raw["broker_id"],
        agreement_id=raw["agreement_id"],
        basis=Basis(raw["basis"]) if raw["basis"] else None,
        rate=Decimal(raw["rate"]) if raw["rate"] is not None else None,
    )


class PostgresBookStore:
    """The consumer's :class:`~commission.application.consumer.BookStore` on ``conn``."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def book(self, account_id: str, invoice_id: str) -> InvoiceBook | None:
        t = s.invoice_books
        row = (
            await self.conn.execute(
                select(t)
                .where(t.c.account_id == account_id, t.c.invoice_id == invoice_id)
                .with_for_update()
            )
        ).first()
        if row is None:
            return None
        return InvoiceBook(
            account_id=row.account_id,
            invoice_id=row.invoice_id,
            currency=row.currency,
            issue_date=row.issue_date,
            lines=tuple(_line(x) for x in row.lines),
            collected=row.collected,
            billed=row.billed,
        )

    async def save_book(self, book: InvoiceBook) -> None:
        values = {
            "account_id": book.account_id,
            "invoice_id": book.invoice_id,
            "currency": book.currency,
            "issue_date": book.issue_date,
            "lines": [_line_json(x) for x in book.lines],
            "collected": book.collected,
            "billed": book.billed,
        }
        stmt = insert(s.invoice_books).values(**values)
        await self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["account_id", "invoice_id"],
                set_={"collected": book.collected, "billed": book.billed},
            )
        )

    async def add_entries(self, posted: Sequence[Posted]) -> None:
        if not posted:
            return
        rows = [
            {
                "event_id": p.event.event_id,
                "account_id": p.entry.account_id,
                "invoice_id": p.entry.invoice_id,
                "line_no": p.entry.line_no,
                "position": p.event.position,
                "broker_id": p.entry.broker_id,
                "currency": p.entry.currency,
                "entry_date": p.entry.entry_date,
                "event_type": p.event.type,
                "basis": p.entry.basis.value,
                "rate": p.entry.rate,
                "premium": p.entry.premium,
                "amount": p.entry.amount,
                "product": p.entry.product,
                "policy_id": p.entry.policy_id,
                "policy_year": p.entry.policy_year,
                "agreement_id": p.entry.agreement_id,
            }
            for p in posted
        ]
        await self.conn.execute(insert(s.entries).values(rows).on_conflict_do_nothing())

    async def agreements_of(self, broker_ids: Iterable[str]) -> dict[str, list[Agreement]]:
        ids = sorted(set(broker_ids))
        rows = await self.conn.execute(
            select(s.agreements).where(s.agreements.c.broker_id.in_(ids))
        )
        out: dict[str, list[Agreement]] = {b: [] for b in ids}
        for row in rows:
            out[row.broker_id].append(agreement_from_row(row))
        return out

    async def entries(
        self, broker_id: str, first: date | None = None, last: date | None = None
    ) -> list[Any]:
        return await entries_of(self.conn, broker_id, first, last)


async def reset_derived(conn: AsyncConnection) -> None:
    """Forget everything derived from ledger events (for a replay from position 0).

    Settlements stay: they link entries by natural key, which a replay reproduces.
    """
    await conn.execute(delete(s.entries))
    await conn.execute(delete(s.invoice_books))


async def entries_of(
    conn: AsyncConnection, broker_id: str, first: date | None = None, last: date | None = None
) -> list[Any]:
    t = s.entries
    q = select(t).where(t.c.broker_id == broker_id)
    if first is not None:
        q = q.where(t.c.entry_date >= first)
    if last is not None:
        q = q.where(t.c.entry_date <= last)
    q = q.order_by(t.c.entry_date, t.c.position, t.c.invoice_id, t.c.line_no)
    return list(await conn.execute(q))


async def apply(conn: AsyncConnection, event: LedgerEvent) -> None:
    """The consumer's handler: one ledger event, inside the consumer's transaction."""
    await apply_event(PostgresBookStore(conn), event)

"""SQL of settlement: runs, statements, the entries each statement took, payment marks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select, text, update
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from commission.adapters.postgres import schema as s
from commission.domain.settlement import Statement

_KEY = [s.entries.c[k] == s.statement_entries.c[k] for k in s.ENTRY_KEY]


class PostgresSettlements:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def lock(self) -> None:
        """Serialise settlement runs (two runs of one period: the second sees the first)."""
        await self.conn.execute(text("LOCK TABLE settlement_runs IN SHARE ROW EXCLUSIVE MODE"))

    async def run_exists(self, period: str) -> bool:
        t = s.settlement_runs
        return (
            await self.conn.execute(select(t.c.period).where(t.c.period == period))
        ).first() is not None

    async def latest_period(self) -> str | None:
        value = (await self.conn.execute(select(func.max(s.settlement_runs.c.period)))).scalar()
        return str(value) if value is not None else None

    async def unsettled(self, last_day: date) -> list[Any]:
        e, se = s.entries, s.statement_entries
        q = (
            select(
                e.c.event_id,
                e.c.account_id,
                e.c.invoice_id,
                e.c.line_no,
                e.c.broker_id,
                e.c.currency,
                e.c.amount,
            )
            .select_from(e.outerjoin(se, and_(*_KEY)))
            .where(se.c.statement_id.is_(None), e.c.entry_date <= last_day)
        )
        return list(await self.conn.execute(q))

    async def carried(self, before: str) -> dict[tuple[str, str], int]:
        """(broker, currency) -> balance carried forward by the latest earlier statement."""
        t = s.statements
        q = (
            select(t.c.broker_id, t.c.currency, t.c.opening, t.c.accruals, t.c.clawbacks)
            .ext(distinct_on(t.c.broker_id, t.c.currency))
            .where(t.c.period < before)
            .order_by(t.c.broker_id, t.c.currency, t.c.period.desc())
        )
        rows = await self.conn.execute(q)
        return {
            (r.broker_id, r.currency): min(r.opening + r.accruals - r.clawbacks, 0) for r in rows
        }

    async def save_run(
        self,
        period: str,
        now: datetime,
        statements: Sequence[Statement],
        links: Sequence[dict[str, Any]],
    ) -> None:
        await self.conn.execute(
            insert(s.settlement_runs).values(
                period=period, settled_at=now, statements=len(statements)
            )
        )
        if statements:
            await self.conn.execute(
                insert(s.statements).values(
                    [
                        {
                            "statement_id": st.statement_id,
                            "broker_id": st.broker_id,
                            "period": st.period,
                            "currency": st.currency,
                            "opening": st.opening,
                            "accruals": st.accruals,
                            "clawbacks": st.clawbacks,
                            "entry_count": st.entry_count,
                            "created_at": now,
                        }
                        for st in statements
                    ]
                )
            )
        if links:
            await self.conn.execute(insert(s.statement_entries).values(list(links)))

    async def statements(
        self, period: str, broker_id: str | None = None, *, lock: bool = False
    ) -> list[Any]:
        t = s.statements
        q = select(t).where(t.c.period == period)
        if broker_id is not None:
            q = q.where(t.c.broker_id == broker_id)
        q = q.order_by(t.c.broker_id, t.c.currency)
        return list(await self.conn.execute(q.with_for_update() if lock else q))

    async def statement_entries(self, statement_id: str) -> list[Any]:
        e, se = s.entries, s.statement_entries
        q = (
            select(e)
            .select_from(e.join(se, and_(*_KEY)))
            .where(se.c.statement_id == statement_id)
            .order_by(e.c.entry_date, e.c.position, e.c.invoice_id, e.c.line_no)
        )
        return list(await self.conn.execute(q))

    async def mark_paid(self, statement_id: str, reference: str, paid_on: date, by: str) -> None:
        t = s.statements
        await self.conn.execute(
            update(t)
            .where(t.c.statement_id == statement_id)
            .values(paid_reference=reference, paid_on=paid_on, paid_by=by)
        )

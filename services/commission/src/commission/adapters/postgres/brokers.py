"""SQL of the broker register: brokers, bank-detail versions, agreements."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from commission.adapters.postgres import broker_list
from commission.adapters.postgres import schema as s
from commission.domain.agreements import Agreement, Basis, ProductRate
from commission.domain.bank import BankDetails
from commission.domain.brokers import BankChange, Broker, ChangeStatus


def agreement_from_row(row: Any) -> Agreement:
    return Agreement(
        agreement_id=row.agreement_id,
        broker_id=row.broker_id,
        effective_from=row.effective_from,
        basis=Basis(row.basis),
        rates=tuple(
            ProductRate(r["product"], Decimal(r["first_year_rate"]), Decimal(r["renewal_rate"]))
            for r in row.rates
        ),
        recorded_at=row.recorded_at,
    )


def _change(row: Any) -> BankChange:
    return BankChange(
        change_id=row.change_id,
        broker_id=row.broker_id,
        details=BankDetails(**row.details),
        status=ChangeStatus(row.status),
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        note=row.note,
    )


class PostgresRegistry:
    """Brokers, their bank details and agreements on one connection (one transaction)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def broker(self, broker_id: str) -> tuple[Broker, dict[str, Any]] | None:
        row = (
            await self.conn.execute(select(s.brokers).where(s.brokers.c.broker_id == broker_id))
        ).first()
        if row is None:
            return None
        broker = Broker(
            row.broker_id,
            row.name,
            row.jurisdiction,
            row.tax_id,
            row.contact_email,
            row.registered_at,
        )
        return broker, row.request

    async def add_broker(self, broker: Broker, request: dict[str, Any]) -> bool:
        """Insert; False if the id is taken (the caller compares the requests)."""
        stmt = insert(s.brokers).values(
            broker_id=broker.broker_id,
            name=broker.name,
            jurisdiction=broker.jurisdiction,
            tax_id=broker.tax_id,
            contact_email=broker.contact_email,
            registered_at=broker.registered_at,
            request=request,
        )
        result = await self.conn.execute(
            stmt.on_conflict_do_nothing().returning(s.brokers.c.broker_id)
        )
        return result.first() is not None

    async def change(self, change_id: str, *, lock: bool = False) -> BankChange | None:
        q = select(s.bank_changes).where(s.bank_changes.c.change_id == change_id)
        row = (await self.conn.execute(q.with_for_update() if lock else q)).first()
        return None if row is None else _change(row)

    async def add_change(self, change: BankChange) -> bool:
        stmt = insert(s.bank_changes).values(
            change_id=change.change_id,
            broker_id=change.broker_id,
            details=change.details.as_dict(),
            status=change.status.value,
            requested_by=change.requested_by,
            requested_at=change.requested_at,
            decided_by=change.decided_by,
            decided_at=change.decided_at,
            note=change.note,
        )
        result = await self.conn.execute(
            stmt.on_conflict_do_nothing().returning(s.bank_changes.c.change_id)
        )
        return result.first() is not None

    async def save_decision(self, change: BankChange) -> None:
        t = s.bank_changes
        await self.conn.execute(
            update(t)
            .where(t.c.change_id == change.change_id)
            .values(
                status=change.status.value,
                decided_by=change.decided_by,
                decided_at=change.decided_at,
                note=change.note,
            )
        )

    async def changes(self, broker_id: str) -> list[BankChange]:
        t = s.bank_changes
        rows = await self.conn.execute(
            select(t).where(t.c.broker_id == broker_id).order_by(t.c.requested_at, t.c.change_id)
        )
        return [_change(r) for r in rows]

    async def agreement(self, agreement_id: str) -> tuple[Agreement, dict[str, Any]] | None:
        t = s.agreements
        row = (await self.conn.execute(select(t).where(t.c.agreement_id == agreement_id))).first()
        return None if row is None else (agreement_from_row(row), row.request)

    async def add_agreement(self, agreement: Agreement, request: dict[str, Any]) -> bool:
        stmt = insert(s.agreements).values(
            agreement_id=agreement.agreement_id,
            broker_id=agreement.broker_id,
            effective_from=agreement.effective_from,
            basis=agreement.basis.value,
            rates=[
                {
                    "product": r.product,
                    "first_year_rate": str(r.first_year_rate),
                    "renewal_rate": str(r.renewal_rate),
                }
                for r in agreement.rates
            ],
            recorded_at=agreement.recorded_at,
            request=request,
        )
        result = await self.conn.execute(
            stmt.on_conflict_do_nothing().returning(s.agreements.c.agreement_id)
        )
        return result.first() is not None

    async def agreements(self, broker_id: str) -> list[Agreement]:
        t = s.agreements
        rows = await self.conn.execute(
            select(t)
            .where(t.c.broker_id == broker_id)
            .order_by(t.c.effective_from, t.c.recorded_at)
        )
        return [agreement_from_row(r) for r in rows]

    async def search(
        self,
        *,
        text: str | None,
        jurisdiction: str | None,
        after: tuple[Any, ...] | None,
        limit: int,
        within: Collection[str] | None = None,
    ) -> list[dict[str, Any]]:
        return await broker_list.list_brokers(
            self.conn,
            text=text,
            jurisdiction=jurisdiction,
            after=after,
            limit=limit,
            within=within,
        )

"""The broker register as a list: by name or id (any case), jurisdiction; keyset-paged."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ColumnElement

from commission.adapters.postgres import schema as s


async def list_brokers(
    conn: AsyncConnection,
    *,
    text: str | None,
    jurisdiction: str | None,
    after: tuple[Any, ...] | None,
    limit: int,
    within: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """Brokers by name then id, each with its number of agreements and whether bank
    details are active or waiting for approval (never the details themselves)."""
    b = s.brokers.c
    conds: list[ColumnElement[bool]] = []
    if text:
        conds.append(
            or_(
                b.name.icontains(text, autoescape=True),
                b.broker_id.icontains(text, autoescape=True),
            )
        )
    if jurisdiction is not None:
        conds.append(b.jurisdiction == jurisdiction)
    if within is not None:  # the caller's jurisdictions
        conds.append(func.upper(b.jurisdiction).in_(within))
    if after is not None:
        conds.append(tuple_(b.name, b.broker_id) > tuple_(*after))
    agreements = (
        select(func.count())
        .where(s.agreements.c.broker_id == b.broker_id)
        .scalar_subquery()
        .label("agreements")
    )

    def changes(status: str, label: str) -> Any:
        c = s.bank_changes.c
        return (
            select(func.count())
            .where(c.broker_id == b.broker_id, c.status == status)
            .scalar_subquery()
            .label(label)
        )

    q = (
        select(
            b.broker_id,
            b.name,
            b.jurisdiction,
            b.contact_email,
            b.registered_at,
            agreements,
            changes("approved", "approved_bank_changes"),
            changes("pending", "pending_bank_changes"),
        )
        .where(*conds)
        .order_by(b.name, b.broker_id)
        .limit(limit)
    )
    return [dict(r._mapping) for r in await conn.execute(q)]

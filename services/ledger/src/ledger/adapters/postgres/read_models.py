"""Projection tables as a whole: dump and replace them (rebuilds)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ledger.adapters.postgres.schema import PROJECTION_TABLES
from ledger.application.projections import Row


def _rows(result: Any) -> list[Row]:
    return [dict(r._mapping) for r in result]


async def clear_projections(conn: AsyncConnection) -> None:
    for table in PROJECTION_TABLES:
        await conn.execute(delete(table))


async def dump_projections(conn: AsyncConnection) -> dict[str, list[Row]]:
    """Every projection row, in key order (for comparing a rebuild with the live tables)."""
    out: dict[str, list[Row]] = {}
    for table in PROJECTION_TABLES:
        keys = list(table.primary_key.columns)
        out[table.name] = _rows(await conn.execute(select(table).order_by(*keys)))
    return out

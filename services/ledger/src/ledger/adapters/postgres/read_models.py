"""Projection tables: load a command's partial state, write rows, idempotency records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ledger.adapters.postgres.schema import (
    PROJECTION_TABLES,
    accounts,
    commands,
    journal,
    open_items,
    payments,
)
from ledger.application.projections import Row, state_from_rows
from ledger.domain.state import Account


def _rows(result: Any) -> list[Row]:
    return [dict(r._mapping) for r in result]


async def load_state(
    conn: AsyncConnection, account_id: str, item_ids: set[str], payment_ids: set[str]
) -> Account | None:
    """What a command needs: the account, its open items and payments with credit left,
    the items and payments it names, and whatever those are tied to by allocations."""
    account = (await conn.execute(select(accounts).where(accounts.c.account_id == account_id))).first()
    if account is None:
        return None
    items = _rows(
        await conn.execute(
            select(open_items).where(
                and_(
                    open_items.c.account_id == account_id,
                    or_(open_items.c.open_amount != 0, open_items.c.item_id.in_(item_ids)),
                )
            )
        )
    )
    pays = _rows(
        await conn.execute(
            select(payments).where(
                and_(
                    payments.c.account_id == account_id,
                    or_(payments.c.unapplied > 0, payments.c.payment_id.in_(payment_ids)),
                )
            )
        )
    )
    have_items = {r["item_id"] for r in items}
    have_pays = {r["payment_id"] for r in pays}
    more_pays = {p for r in items if r["item_id"] in item_ids for p in r["allocations"]} - have_pays
    more_items = {i for r in pays if r["payment_id"] in payment_ids for i in r["allocations"]} - have_items
    if more_items:
        items += _rows(
            await conn.execute(
                select(open_items).where(
                    and_(open_items.c.account_id == account_id, open_items.c.item_id.in_(more_items))
                )
            )
        )
    if more_pays:
        pays += _rows(
            await conn.execute(
                select(payments).where(
                    and_(payments.c.account_id == account_id, payments.c.payment_id.in_(more_pays))
                )
            )
        )
    return state_from_rows(dict(account._mapping), items, pays)


async def upsert(conn: AsyncConnection, table: Any, rows: list[Row]) -> None:
    if not rows:
        return
    stmt = pg_insert(table)
    keys = {c.name for c in table.primary_key.columns}
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys},
    )
    await conn.execute(stmt, rows)


async def write(
    conn: AsyncConnection,
    *,
    account: Row,
    items: list[Row],
    pays: list[Row],
    journal_lines: list[Row],
) -> None:
    await upsert(conn, accounts, [account])
    await upsert(conn, open_items, items)
    await upsert(conn, payments, pays)
    if journal_lines:
        await conn.execute(journal.insert(), journal_lines)


async def find_command(
    conn: AsyncConnection, account_id: str, command_type: str, command_id: str
) -> Row | None:
    row = (
        await conn.execute(
            select(commands).where(
                and_(
                    commands.c.account_id == account_id,
                    commands.c.command_type == command_type,
                    commands.c.command_id == command_id,
                )
            )
        )
    ).first()
    return None if row is None else dict(row._mapping)


async def save_command(conn: AsyncConnection, row: Row) -> None:
    await conn.execute(commands.insert(), [row])


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

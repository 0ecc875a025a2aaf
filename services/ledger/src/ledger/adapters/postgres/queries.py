"""Read queries for CRM front ends, collectors and auditors.

Balances and aging "as of" an effective date are in ``positions``; statements and the
trial balance sum the journal up to a date here. ``known_at`` further limits them to what
the ledger had recorded by then.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from ledger.adapters.postgres.schema import accounts, events, journal, open_items
from ledger.domain.postings import Chart
from ledger.domain.reporting import BUCKETS, bucket

__all__ = ["BUCKETS", "bucket"]  # the aging rules live in the domain; kept importable here


async def get_account(conn: AsyncConnection, account_id: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(accounts).where(accounts.c.account_id == account_id))).first()
    return None if row is None else dict(row._mapping)


async def list_items(
    conn: AsyncConnection, account_id: str, status: str, *, limit: int, offset: int = 0
) -> list[dict[str, Any]]:
    q = select(open_items).where(open_items.c.account_id == account_id)
    if status == "open":
        q = q.where(open_items.c.open_amount > 0)
    elif status == "paid":
        q = q.where(open_items.c.status == "paid")
    q = q.order_by(open_items.c.due_date, open_items.c.issue_date, open_items.c.item_id)
    q = q.limit(limit).offset(offset)
    return [dict(r._mapping) for r in await conn.execute(q)]


def _journal_filter(as_of: date, known_at: datetime | None) -> Any:
    cond = journal.c.effective_date <= as_of
    if known_at is not None:
        cond = and_(cond, journal.c.recorded_at <= known_at)
    return cond


async def accounts_by_id(conn: AsyncConnection, ids: set[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    q = select(accounts).where(accounts.c.account_id.in_(ids))
    return {r.account_id: dict(r._mapping) for r in await conn.execute(q)}


async def trial_balance(
    conn: AsyncConnection,
    as_of: date,
    known_at: datetime | None = None,
    jurisdictions: Collection[str] | None = None,
) -> dict[str, dict[str, int]]:
    """Balance of every ledger account per currency (debits positive), of the accounts in
    ``jurisdictions`` (None: all)."""
    q = (
        select(journal.c.currency, journal.c.ledger_account, func.sum(journal.c.amount))
        .where(_journal_filter(as_of, known_at))
        .group_by(journal.c.currency, journal.c.ledger_account)
    )
    if jurisdictions is not None:
        q = q.join(accounts, accounts.c.account_id == journal.c.account_id).where(
            func.upper(accounts.c.jurisdiction).in_(jurisdictions)
        )
    out: dict[str, dict[str, int]] = {}
    for currency, ledger_account, amount in await conn.execute(q):
        out.setdefault(currency, {})[ledger_account] = int(amount)
    return out


async def journal_lines(
    conn: AsyncConnection, account_id: str, *, after: int, after_line: int | None, limit: int
) -> list[dict[str, Any]]:
    """Lines in (position, line_no) order after the event ``after`` -- or, with
    ``after_line``, after that line of it (a page may end inside an event)."""
    if after_line is None:
        later = journal.c.position > after
    else:
        later = tuple_(journal.c.position, journal.c.line_no) > tuple_(after, after_line)
    q = (
        select(journal)
        .where(and_(journal.c.account_id == account_id, later))
        .order_by(journal.c.position, journal.c.line_no)
        .limit(limit)
    )
    return [dict(r._mapping) for r in await conn.execute(q)]


_CUSTOMER_SIDE = (Chart.RECEIVABLES.value, Chart.UNAPPLIED_CASH.value)


async def net_balance(
    conn: AsyncConnection, account_id: str, as_of: date, known_at: datetime | None = None
) -> int:
    """What the customer owes, net of unapplied credit, on ``as_of``."""
    q = select(func.coalesce(func.sum(journal.c.amount), 0)).where(
        and_(
            _journal_filter(as_of, known_at),
            journal.c.account_id == account_id,
            journal.c.ledger_account.in_(_CUSTOMER_SIDE),
        )
    )
    return int((await conn.execute(q)).scalar_one())


async def statement_movements(
    conn: AsyncConnection,
    account_id: str,
    start: date,
    end: date,
    known_at: datetime | None = None,
) -> list[dict[str, Any]]:
    """Every event that moved the customer's net balance between ``start`` and ``end``,
    with its change and the event's data (allocations net to zero and drop out)."""
    cond = and_(
        _journal_filter(end, known_at),
        journal.c.effective_date >= start,
        journal.c.account_id == account_id,
        journal.c.ledger_account.in_(_CUSTOMER_SIDE),
    )
    change = func.sum(journal.c.amount).label("change")
    moved = (
        select(journal.c.position, journal.c.effective_date, journal.c.event_type, change)
        .where(cond)
        .group_by(journal.c.position, journal.c.effective_date, journal.c.event_type)
        .having(func.sum(journal.c.amount) != 0)
        .subquery()
    )
    q = (
        select(moved, events.c.data)
        .join(events, events.c.position == moved.c.position)
        .order_by(moved.c.effective_date, moved.c.position)
    )
    return [dict(r._mapping) for r in await conn.execute(q)]

"""Read queries for CRM front ends, collectors and auditors.

Balances and aging "as of" an effective date come from the journal: the open amount of
an item on a date is the sum of its receivables postings up to that date, so balances,
open items and aging agree to the cent. ``known_at`` further limits them to what the
ledger had recorded by then.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from ledger.adapters.postgres.schema import accounts, events, journal, open_items
from ledger.domain.postings import Chart
from ledger.domain.reporting import BUCKETS, bucket

__all__ = ["BUCKETS", "bucket"]  # the aging rules live in the domain; kept importable here


@dataclass(frozen=True)
class ItemPosition:
    account_id: str
    item_id: str
    due_date: date
    open_amount: int
    disputed: bool


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


async def _disputed_as_of(
    conn: AsyncConnection, as_of: date, known_at: datetime | None, account_id: str | None
) -> set[tuple[str, str]]:
    """(account, invoice) pairs under dispute on ``as_of`` (last dispute event wins)."""
    cond = and_(
        events.c.event_type.in_(("InvoiceDisputed", "DisputeResolved")),
        events.c.effective_date <= as_of,
    )
    if known_at is not None:
        cond = and_(cond, events.c.recorded_at <= known_at)
    if account_id is not None:
        cond = and_(cond, events.c.stream_id == account_id)
    q = (
        select(events.c.stream_id, events.c.event_type, events.c.data["invoice_id"].astext)
        .where(cond)
        .order_by(events.c.effective_date, events.c.position)
    )
    state: dict[tuple[str, str], bool] = {}
    for stream_id, event_type, invoice_id in await conn.execute(q):
        state[(stream_id, invoice_id)] = event_type == "InvoiceDisputed"
    return {k for k, v in state.items() if v}


async def item_positions(
    conn: AsyncConnection,
    as_of: date,
    *,
    known_at: datetime | None = None,
    account_id: str | None = None,
    currency: str | None = None,
    jurisdictions: Collection[str] | None = None,
) -> list[ItemPosition]:
    """Open amount of every item with something open on ``as_of``."""
    cond = and_(
        _journal_filter(as_of, known_at), journal.c.ledger_account == Chart.RECEIVABLES.value
    )
    if account_id is not None:
        cond = and_(cond, journal.c.account_id == account_id)
    total = func.sum(journal.c.amount)
    q = (
        select(journal.c.account_id, journal.c.item_id, open_items.c.due_date, total.label("open"))
        .join(
            open_items,
            and_(
                open_items.c.account_id == journal.c.account_id,
                open_items.c.item_id == journal.c.item_id,
            ),
        )
        .join(accounts, accounts.c.account_id == journal.c.account_id)
        .where(cond)
        .group_by(journal.c.account_id, journal.c.item_id, open_items.c.due_date)
        .having(total != 0)
    )
    if currency:
        q = q.where(accounts.c.currency == currency)
    if jurisdictions is not None:
        q = q.where(func.upper(accounts.c.jurisdiction).in_(jurisdictions))
    disputed = await _disputed_as_of(conn, as_of, known_at, account_id)
    return [
        ItemPosition(
            r.account_id, r.item_id, r.due_date, int(r.open), (r.account_id, r.item_id) in disputed
        )
        for r in await conn.execute(q)
    ]


async def unapplied_as_of(
    conn: AsyncConnection,
    as_of: date,
    *,
    known_at: datetime | None = None,
    account_id: str | None = None,
    currency: str | None = None,
    jurisdictions: Collection[str] | None = None,
) -> dict[str, int]:
    """Unapplied credit per account on ``as_of`` (credit balance of unapplied cash)."""
    cond = and_(
        _journal_filter(as_of, known_at), journal.c.ledger_account == Chart.UNAPPLIED_CASH.value
    )
    if account_id is not None:
        cond = and_(cond, journal.c.account_id == account_id)
    if currency:
        cond = and_(cond, accounts.c.currency == currency)
    if jurisdictions is not None:
        cond = and_(cond, func.upper(accounts.c.jurisdiction).in_(jurisdictions))
    q = (
        select(journal.c.account_id, -func.sum(journal.c.amount))
        .join(accounts, accounts.c.account_id == journal.c.account_id)
        .where(cond)
        .group_by(journal.c.account_id)
    )
    return {a: int(v) for a, v in await conn.execute(q)}


def overpaid_as_credit(
    items: list[ItemPosition], unapplied: dict[str, int]
) -> tuple[list[ItemPosition], dict[str, int]]:
    """Open items never go below zero as of a date.

    A back-dated payment allocated against an increase that takes effect later (an
    adjustment, a recovery) has paid more than the item had billed on the dates between:
    that excess is the customer's credit then, so it shows as unapplied credit, and the
    item as settled. The balance (open - unapplied) is the same either way.
    """
    credit = dict(unapplied)
    kept = []
    for item in items:
        if item.open_amount < 0:
            credit[item.account_id] = credit.get(item.account_id, 0) - item.open_amount
        else:
            kept.append(item)
    return kept, credit


async def positions_as_of(
    conn: AsyncConnection,
    as_of: date,
    *,
    known_at: datetime | None = None,
    account_id: str | None = None,
    currency: str | None = None,
    jurisdictions: Collection[str] | None = None,
) -> tuple[list[ItemPosition], dict[str, int]]:
    """Open items and unapplied credit per account on ``as_of``: what balance and aging
    report, so they agree with each other and with the journal."""
    filters: dict[str, Any] = {
        "known_at": known_at,
        "account_id": account_id,
        "currency": currency,
        "jurisdictions": jurisdictions,
    }
    items = await item_positions(conn, as_of, **filters)
    return overpaid_as_credit(items, await unapplied_as_of(conn, as_of, **filters))


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

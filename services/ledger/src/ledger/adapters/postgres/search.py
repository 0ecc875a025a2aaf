"""Search queries across accounts, invoices and payments, paged by keyset.

Each list has a unique sort key; ``after`` is that key of the previous page's last row
and the next page starts strictly after it, so paging stays stable while rows are added.
Substring filters are case-insensitive (``ILIKE``, served by the pg_trgm indexes of
migration 0003); wildcards typed by the user are taken literally.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ColumnElement

from ledger.adapters.postgres.schema import accounts, open_items, payments

Key = tuple[Any, ...]


@dataclass(frozen=True)
class AccountFilter:
    text: str | None = None  # substring of the name or the account id
    status: str | None = None
    jurisdiction: str | None = None
    broker_id: str | None = None
    currency: str | None = None


@dataclass(frozen=True)
class InvoiceFilter:
    account_id: str | None = None
    policy_id: str | None = None
    status: str | None = None  # open (something open), or a stored status
    due_from: date | None = None
    due_to: date | None = None
    currency: str | None = None


@dataclass(frozen=True)
class PaymentFilter:
    account_id: str | None = None
    reference: str | None = None  # substring
    method: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    currency: str | None = None


def _all(conds: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    return and_(True, *conds)


def _equal(pairs: list[tuple[Any, Any]]) -> list[ColumnElement[bool]]:
    return [column == value for column, value in pairs if value is not None]


def _between(column: Any, start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    conds = [] if start is None else [column >= start]
    return conds if end is None else [*conds, column <= end]


def _within(jurisdictions: Collection[str] | None) -> list[ColumnElement[bool]]:
    """Only accounts of these jurisdictions (None: all)."""
    if jurisdictions is None:
        return []
    return [func.upper(accounts.c.jurisdiction).in_(jurisdictions)]


async def search_accounts(
    conn: AsyncConnection,
    f: AccountFilter,
    *,
    after: Key | None,
    limit: int,
    within: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """Accounts by name, then id."""
    conds: list[ColumnElement[bool]] = _within(within)
    if f.text:
        conds.append(
            or_(
                accounts.c.name.icontains(f.text, autoescape=True),
                accounts.c.account_id.icontains(f.text, autoescape=True),
            )
        )
    conds += _equal(
        [
            (accounts.c.status, f.status),
            (accounts.c.jurisdiction, f.jurisdiction),
            (accounts.c.broker_id, f.broker_id),
            (accounts.c.currency, f.currency),
        ]
    )
    if after is not None:
        conds.append(tuple_(accounts.c.name, accounts.c.account_id) > tuple_(*after))
    q = (
        select(accounts)
        .where(_all(conds))
        .order_by(accounts.c.name, accounts.c.account_id)
        .limit(limit)
    )
    return [dict(r._mapping) for r in await conn.execute(q)]


async def _page_of(
    conn: AsyncConnection,
    table: Any,
    conds: list[ColumnElement[bool]],
    order: tuple[Any, ...],
    after: Key | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Rows of ``table`` (with their account's currency) in ``order``, after the key."""
    if after is not None:
        conds = [*conds, tuple_(*order) > tuple_(*after)]
    q = (
        select(table, accounts.c.currency)
        .join(accounts, accounts.c.account_id == table.c.account_id)
        .where(_all(conds))
        .order_by(*order)
        .limit(limit)
    )
    return [dict(r._mapping) for r in await conn.execute(q)]


async def search_invoices(
    conn: AsyncConnection,
    f: InvoiceFilter,
    *,
    after: Key | None,
    limit: int,
    within: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """Invoices and debit notes of every account, by due date."""
    oi = open_items.c
    conds = _within(within)
    conds += _equal([(oi.account_id, f.account_id), (oi.policy_id, f.policy_id)])
    conds += _equal([(accounts.c.currency, f.currency)])
    if f.status == "open":
        conds.append(oi.open_amount > 0)
    elif f.status is not None:
        conds.append(oi.status == f.status)
    conds += _between(oi.due_date, f.due_from, f.due_to)
    order = (oi.due_date, oi.account_id, oi.item_id)
    return await _page_of(conn, open_items, conds, order, after, limit)


async def search_payments(
    conn: AsyncConnection,
    f: PaymentFilter,
    *,
    after: Key | None,
    limit: int,
    within: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """Payments of every account, by date received."""
    p = payments.c
    conds = _within(within)
    conds += _equal([(p.account_id, f.account_id), (p.method, f.method)])
    conds += _equal([(accounts.c.currency, f.currency)])
    if f.reference:
        conds.append(p.reference.icontains(f.reference, autoescape=True))
    conds += _between(p.received_on, f.received_from, f.received_to)
    order = (p.received_on, p.account_id, p.payment_id)
    return await _page_of(conn, payments, conds, order, after, limit)

"""SQL of the monthly KPIs and the management pack.

Nothing here reads the whole journal: a month's movements come from the journal lines of
those months (``journal_effective``), and receivables at past month ends from today's open
items less the receivables postings after the first month end -- a window, not history.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, cast, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from ledger.adapters.postgres.schema import accounts, journal, open_items
from ledger.domain.postings import Chart
from ledger.domain.reporting import ItemNow, Month


@dataclass(frozen=True)
class Selection:
    currency: str | None = None
    jurisdictions: Collection[str] | None = None  # upper case; None: all

    def where(self) -> list[Any]:
        conds: list[Any] = []
        if self.currency:
            conds.append(accounts.c.currency == self.currency)
        if self.jurisdictions is not None:
            conds.append(func.upper(accounts.c.jurisdiction).in_(self.jurisdictions))
        return conds


def _month(column: Any) -> Any:
    return cast(func.date_trunc("month", column), Date)


async def movements(
    conn: AsyncConnection, start: date, end: date, sel: Selection
) -> list[tuple[Month, str, str, str, str, int]]:
    """Journal sums per (month, currency, jurisdiction, ledger account, event type) of the
    lines effective from ``start`` to ``end``."""
    month = _month(journal.c.effective_date).label("month")
    jurisdiction = func.upper(accounts.c.jurisdiction).label("jurisdiction")
    q = (
        select(
            month,
            journal.c.currency,
            jurisdiction,
            journal.c.ledger_account,
            journal.c.event_type,
            func.sum(journal.c.amount),
        )
        .join(accounts, accounts.c.account_id == journal.c.account_id)
        .where(journal.c.effective_date.between(start, end), *sel.where())
        .group_by(month, journal.c.currency, jurisdiction, journal.c.ledger_account)
        .group_by(journal.c.event_type)
    )
    return [
        (Month.of(m), cur, jur, account, event_type, int(amount))
        for m, cur, jur, account, event_type, amount in await conn.execute(q)
    ]


async def items_now(conn: AsyncConnection, after: date, sel: Selection) -> list[ItemNow]:
    """Every item open today or with receivables postings effective after ``after``,
    with those postings summed per month."""
    later_month = _month(journal.c.effective_date).label("month")
    later = (
        select(
            journal.c.account_id,
            journal.c.item_id,
            later_month,
            func.sum(journal.c.amount).label("amount"),
        )
        .where(
            journal.c.effective_date > after,
            journal.c.ledger_account == Chart.RECEIVABLES.value,
        )
        .group_by(journal.c.account_id, journal.c.item_id, later_month)
        .subquery()
    )
    moved: dict[tuple[str, str], dict[Month, int]] = {}
    for account_id, item_id, m, amount in await conn.execute(select(later)):
        moved.setdefault((account_id, item_id), {})[Month.of(m)] = int(amount)
    moved_item = tuple_(open_items.c.account_id, open_items.c.item_id).in_(
        select(later.c.account_id, later.c.item_id)
    )
    q = (
        select(
            open_items.c.account_id,
            open_items.c.item_id,
            open_items.c.due_date,
            open_items.c.open_amount,
            accounts.c.currency,
            func.upper(accounts.c.jurisdiction),
        )
        .join(accounts, accounts.c.account_id == open_items.c.account_id)
        .where(or_(open_items.c.open_amount != 0, moved_item), *sel.where())
    )
    rows = await conn.execute(q)
    return [
        ItemNow((cur, jur), due, int(open_now), moved.get((account_id, item_id), {}))
        for account_id, item_id, due, open_now, cur, jur in rows
    ]

"""List queries for collectors and the console: accounts by dunning level, run history.

Paged by keyset (the sort key of the previous page's last row), like every list of the
services (``servicekit.paging``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ColumnElement

from dunning.adapters.postgres.schema import dunning_accounts, dunning_events, dunning_runs
from dunning.application.ports import LevelFilter
from dunning.domain.state import DunningState

RUN_EVENT_TYPES = (
    "DunningLevelReached",
    "DunningLevelLowered",
    "ReminderSent",
    "FinalNoticeSent",
    "FeeCharged",
    "ServiceSuspended",
    "ServiceReinstated",
    "EscalatedToLegal",
    "WriteOffRecommended",
    "PromiseBroken",
    "PaymentPlanBroken",
)


class PostgresLists:
    """Collectors' lists, in the caller's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def accounts_by_level(
        self, f: LevelFilter, *, after: tuple[Any, ...] | None, limit: int
    ) -> list[DunningState]:
        """Dunning states, highest level first, then by account id."""
        t = dunning_accounts.c
        conds: list[ColumnElement[bool]] = [t.level >= f.min_level]
        if f.level is not None:
            conds.append(t.level == f.level)
        if f.jurisdiction is not None:
            conds.append(t.jurisdiction == f.jurisdiction)
        if f.currency is not None:
            conds.append(t.currency == f.currency)
        if f.within is not None:
            conds.append(func.upper(t.jurisdiction).in_(f.within))
        if f.overdue_only:
            conds.append(t.overdue > 0)
        if after is not None:
            level, account_id = after
            conds.append(or_(t.level < level, and_(t.level == level, t.account_id > account_id)))
        q = select(t.doc).where(*conds).order_by(t.level.desc(), t.account_id).limit(limit)
        return [DunningState.model_validate(r.doc) for r in await self._conn.execute(q)]

    async def runs(
        self,
        *,
        start: date | None,
        end: date | None,
        before: date | None,
        limit: int,
    ) -> list[dict[str, Any]]:
        """Run dates, newest first."""
        c = dunning_runs.c
        conds: list[ColumnElement[bool]] = []
        if start is not None:
            conds.append(c.as_of >= start)
        if end is not None:
            conds.append(c.as_of <= end)
        if before is not None:
            conds.append(c.as_of < before)
        q = select(dunning_runs).where(*conds).order_by(c.as_of.desc()).limit(limit)
        return [dict(r._mapping) for r in await self._conn.execute(q)]

    async def run(self, as_of: date) -> dict[str, Any] | None:
        row = (
            await self._conn.execute(select(dunning_runs).where(dunning_runs.c.as_of == as_of))
        ).first()
        return None if row is None else dict(row._mapping)

    async def run_events(self, as_of: date, *, after: int, limit: int) -> list[dict[str, Any]]:
        """The actions a run for ``as_of`` takes (dunning's events of that business date)."""
        e = dunning_events.c
        q = (
            select(dunning_events)
            .where(e.occurred_on == as_of, e.event_type.in_(RUN_EVENT_TYPES), e.seq > after)
            .order_by(e.seq)
            .limit(limit)
        )
        return [dict(r._mapping) for r in await self._conn.execute(q)]

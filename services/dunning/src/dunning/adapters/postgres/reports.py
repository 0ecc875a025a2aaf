"""SQL of the credit-control reports: every account's projection, dunning state and
blacklist entry in one read (filtered like the accounts-by-level list)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ColumnElement

from dunning.adapters.postgres.credit_control import entry_of
from dunning.adapters.postgres.schema import blacklist, dunning_accounts, receivables
from dunning.application.ports import AccountRecord, LevelFilter
from dunning.domain.credit import BlacklistEntry
from dunning.domain.receivables import Receivables
from dunning.domain.state import DunningState


class PostgresReports:
    """The reports' reads, in the caller's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def report_accounts(self, f: LevelFilter) -> list[AccountRecord]:
        """The accounts ``f`` selects, by account id (an account the ledger told about but
        no run has evaluated yet is at level 0)."""
        r, d = receivables.c, dunning_accounts.c
        level = func.coalesce(d.level, 0)
        conds: list[ColumnElement[bool]] = [level >= f.min_level]
        if f.level is not None:
            conds.append(level == f.level)
        if f.jurisdiction is not None:
            conds.append(r.jurisdiction == f.jurisdiction)
        if f.currency is not None:
            conds.append(r.currency == f.currency)
        if f.within is not None:
            conds.append(func.upper(r.jurisdiction).in_(f.within))
        if f.overdue_only:
            conds.append(func.coalesce(d.overdue, 0) > 0)
        q = (
            select(r.doc.label("rec"), d.doc.label("state"))
            .select_from(receivables.outerjoin(dunning_accounts, d.account_id == r.account_id))
            .where(*conds)
            .order_by(r.account_id)
        )
        rows = (await self._conn.execute(q)).all()
        ids = [row.rec["account_id"] for row in rows]
        entries: dict[str, BlacklistEntry] = {}
        if ids:
            found = await self._conn.execute(
                select(blacklist).where(blacklist.c.account_id.in_(ids))
            )
            entries = {e.account_id: e for e in map(entry_of, found)}
        out = []
        for row in rows:
            rec = Receivables.model_validate(row.rec)
            state = (
                DunningState(account_id=rec.account_id)
                if row.state is None
                else DunningState.model_validate(row.state)
            )
            out.append(AccountRecord(rec, state, entries.get(rec.account_id)))
        return out

"""Every SQL statement of the dunning state: projection, dunning state, history, outbox.

Credit-control tables (profiles, contacts, blacklist) are in :mod:`.credit_control`,
the delivery queues (notices, fees, publishing) in :mod:`.queues`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Table, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from dunning.adapters.postgres.schema import dunning_accounts, dunning_events, dunning_runs
from dunning.adapters.postgres.schema import receivables as receivables_t
from dunning.domain.receivables import Receivables
from dunning.domain.state import DunningState, Emitted

DocT = TypeVar("DocT", Receivables, DunningState)


def _receivables_row(rec: Receivables) -> dict[str, Any]:
    return {
        "account_id": rec.account_id,
        "jurisdiction": rec.jurisdiction,
        "currency": rec.currency,
        "doc": rec.model_dump(mode="json"),
        "updated_at": func.now(),
    }


def _state_row(state: DunningState, rec: Receivables) -> dict[str, Any]:
    return {
        "account_id": state.account_id,
        "jurisdiction": rec.jurisdiction,
        "currency": rec.currency,
        "level": state.level,
        "days_past_due": state.days_past_due,
        "overdue": state.overdue,
        "paused": state.paused,
        "evaluated_on": state.evaluated_on,
        "doc": state.model_dump(mode="json"),
        "updated_at": func.now(),
    }


SORTS = {
    "days_past_due": (dunning_accounts.c.days_past_due.desc(), dunning_accounts.c.account_id),
    "overdue": (dunning_accounts.c.overdue.desc(), dunning_accounts.c.account_id),
    "level": (
        dunning_accounts.c.level.desc(),
        dunning_accounts.c.days_past_due.desc(),
        dunning_accounts.c.account_id,
    ),
    "account_id": (dunning_accounts.c.account_id,),
}


class PostgresAccounts:
    """Projection, dunning state, history and runs, in the caller's transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def load_receivables(self, account_id: str, *, lock: bool = False) -> Receivables | None:
        q = select(receivables_t.c.doc).where(receivables_t.c.account_id == account_id)
        row = (await self._conn.execute(q.with_for_update() if lock else q)).first()
        return None if row is None else Receivables.model_validate(row.doc)

    async def jurisdiction_of(self, account_id: str) -> str | None:
        q = select(receivables_t.c.jurisdiction).where(receivables_t.c.account_id == account_id)
        return (await self._conn.execute(q)).scalar_one_or_none()

    async def _lock_docs(
        self, table: Table, model: type[DocT], account_ids: list[str]
    ) -> dict[str, DocT]:
        """Several accounts' documents of ``table``, row-locked in account order so that two
        transactions locking overlapping sets never deadlock."""
        q = (
            select(table.c.doc)
            .where(table.c.account_id.in_(account_ids))
            .order_by(table.c.account_id)
            .with_for_update()
        )
        found = [model.model_validate(r.doc) for r in await self._conn.execute(q)]
        return {d.account_id: d for d in found}

    async def load_receivables_many(self, account_ids: list[str]) -> dict[str, Receivables]:
        """Several accounts' projections, row-locked in account order (no deadlocks)."""
        return await self._lock_docs(receivables_t, Receivables, account_ids)

    async def save_receivables(self, rec: Receivables) -> None:
        await self.save_receivables_many([rec])

    async def save_receivables_many(self, recs: list[Receivables]) -> None:
        if not recs:
            return
        stmt = insert(receivables_t).values([_receivables_row(r) for r in recs])
        await self._conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[receivables_t.c.account_id],
                set_={
                    k: stmt.excluded[k] for k in ("jurisdiction", "currency", "doc", "updated_at")
                },
            )
        )

    async def load_state(self, account_id: str, *, lock: bool = False) -> DunningState | None:
        q = select(dunning_accounts.c.doc).where(dunning_accounts.c.account_id == account_id)
        row = (await self._conn.execute(q.with_for_update() if lock else q)).first()
        return None if row is None else DunningState.model_validate(row.doc)

    async def load_states_many(self, account_ids: list[str]) -> dict[str, DunningState]:
        """Several accounts' dunning states, row-locked in account order (no deadlocks)."""
        return await self._lock_docs(dunning_accounts, DunningState, account_ids)

    async def save_state(self, state: DunningState, rec: Receivables) -> None:
        await self.save_states_many([(state, rec)])

    async def save_states_many(self, pairs: list[tuple[DunningState, Receivables]]) -> None:
        if not pairs:
            return
        rows = [_state_row(state, rec) for state, rec in pairs]
        stmt = insert(dunning_accounts).values(rows)
        await self._conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[dunning_accounts.c.account_id],
                set_={k: stmt.excluded[k] for k in rows[0] if k != "account_id"},
            )
        )

    async def append_events(self, account_id: str, emitted: list[Emitted]) -> list[Emitted]:
        """Record decided events once each (by event id); return those that were new.

        The caller holds the account's row lock, so stream versions are assigned in order.
        """
        if not emitted:
            return []
        q = select(func.coalesce(func.max(dunning_events.c.stream_version), 0)).where(
            dunning_events.c.account_id == account_id
        )
        version = int((await self._conn.execute(q)).scalar_one())
        new: list[Emitted] = []
        for e in emitted:
            stmt = (
                insert(dunning_events)
                .values(
                    event_id=e.event_id,
                    account_id=account_id,
                    stream_version=version + 1,
                    event_type=e.event.event_type(),
                    schema_version=e.event.schema_version,
                    data=e.event.model_dump(mode="json"),
                    occurred_on=e.event.occurred_on,
                    recorded_at=func.now(),
                )
                .on_conflict_do_nothing(index_elements=[dunning_events.c.event_id])
            )
            if (await self._conn.execute(stmt.returning(dunning_events.c.seq))).first() is not None:
                version += 1
                new.append(e)
        return new

    async def history(self, account_id: str, limit: int = 500) -> list[dict[str, Any]]:
        q = (
            select(dunning_events)
            .where(dunning_events.c.account_id == account_id)
            .order_by(dunning_events.c.stream_version)
            .limit(limit)
        )
        return [dict(r._mapping) for r in await self._conn.execute(q)]

    async def events_after(self, after: int, limit: int) -> list[dict[str, Any]]:
        q = (
            select(dunning_events)
            .where(dunning_events.c.seq > after)
            .order_by(dunning_events.c.seq)
            .limit(limit)
        )
        return [dict(r._mapping) for r in await self._conn.execute(q)]

    async def account_ids(self) -> list[str]:
        q = select(receivables_t.c.account_id).order_by(receivables_t.c.account_id)
        return [r.account_id for r in await self._conn.execute(q)]

    async def worklist(
        self,
        *,
        jurisdiction: str | None,
        within: Collection[str] | None = None,
        min_level: int,
        sort: str,
        page: int,
        page_size: int,
    ) -> tuple[int, list[DunningState]]:
        where = [dunning_accounts.c.overdue > 0, dunning_accounts.c.level >= min_level]
        if jurisdiction:
            where.append(dunning_accounts.c.jurisdiction == jurisdiction)
        if within is not None:
            where.append(func.upper(dunning_accounts.c.jurisdiction).in_(within))
        total = (
            await self._conn.execute(
                select(func.count()).select_from(dunning_accounts).where(*where)
            )
        ).scalar_one()
        q = (
            select(dunning_accounts.c.doc)
            .where(*where)
            .order_by(*SORTS[sort])
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        return int(total), [DunningState.model_validate(r.doc) for r in await self._conn.execute(q)]

    async def last_run_date(self) -> date | None:
        """The latest business date a dunning run was recorded for (None: never run)."""
        value = (await self._conn.execute(select(func.max(dunning_runs.c.as_of)))).scalar_one()
        return None if value is None else date.fromisoformat(str(value))

    async def record_run(
        self,
        as_of: date,
        accounts: int,
        actions: dict[str, int],
        without_policy: int = 0,
        run_id: UUID | None = None,
    ) -> int:
        """Note a run for ``as_of`` and what it did; return how many runs that date has had
        (1 = first). Actions add up over the reruns of a date. The run ``run_id`` recording
        itself again (its first COMMIT's answer was lost) changes nothing."""
        q = (
            select(dunning_runs.c.actions, dunning_runs.c.runs, dunning_runs.c.last_run)
            .where(dunning_runs.c.as_of == as_of)
            .with_for_update()
        )
        row = (await self._conn.execute(q)).one_or_none()
        if row is not None and run_id is not None and row.last_run == run_id:
            return int(row.runs)
        before = {} if row is None else row.actions
        merged = {k: before.get(k, 0) + actions.get(k, 0) for k in sorted({*before, *actions})}
        stmt = insert(dunning_runs).values(
            as_of=as_of,
            runs=1,
            accounts=accounts,
            events=sum(actions.values()),
            first_at=func.now(),
            last_at=func.now(),
            actions=merged,
            without_policy=without_policy,
            last_run=run_id,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[dunning_runs.c.as_of],
            set_={
                "runs": dunning_runs.c.runs + 1,
                "accounts": stmt.excluded.accounts,
                "events": dunning_runs.c.events + stmt.excluded.events,
                "last_at": func.now(),
                "actions": stmt.excluded.actions,
                "without_policy": stmt.excluded.without_policy,
                "last_run": stmt.excluded.last_run,
            },
        )
        return int((await self._conn.execute(stmt.returning(dunning_runs.c.runs))).scalar_one())

    async def reset_projection(self) -> None:
        """For ``dunning replay``: forget the receivables projection (dunning's own state stays)."""
        await self._conn.execute(text("TRUNCATE receivables"))

    async def dump_projection(self) -> dict[str, Any]:
        rows = await self._conn.execute(select(receivables_t.c.account_id, receivables_t.c.doc))
        return {r.account_id: r.doc for r in rows}

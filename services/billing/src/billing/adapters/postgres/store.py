"""The billing store: transactions (:class:`PgSession`), documents to send, runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from billing.adapters.postgres.schema import billed_lines, billing_runs, documents, policies
from billing.adapters.postgres.session import PgSession
from billing.application.ports import Outcome, Pending
from servicekit.transient import retried


class PgStore:
    """The methods marked ``retried`` are one transaction each, safe to run again after a
    transient database failure (a run's end, a document's answer); a billing run runs its
    other steps again itself."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PgSession]:
        async with self.engine.begin() as conn:
            yield PgSession(conn)

    async def pending(self, limit: int, policy_id: str | None = None) -> list[Pending]:
        q = select(
            documents.c.document_id, documents.c.policy_id, documents.c.kind, documents.c.request
        ).where(documents.c.status == "pending")
        if policy_id is not None:
            q = q.where(documents.c.policy_id == policy_id)
        async with self.engine.connect() as conn:
            rows = await conn.execute(q.order_by(documents.c.seq).limit(limit))
            return [Pending(r.document_id, r.policy_id, r.kind, r.request) for r in rows]

    @retried
    async def posted(self, document_id: str, outcome: Outcome, at: datetime) -> None:
        """The ledger's answer; a rejected document no longer counts as billed."""
        async with self.engine.begin() as conn:
            values: dict[str, Any] = {
                "status": outcome.status,
                "attempts": documents.c.attempts + 1,
                "last_error": outcome.detail,
            }
            if outcome.status == "posted":
                values["posted_at"] = at
            q = update(documents).where(
                documents.c.document_id == document_id, documents.c.status == "pending"
            )
            done = await conn.execute(q.values(values).returning(documents.c.policy_id))
            policy_id = done.scalar_one_or_none()
            if outcome.status == "rejected" and policy_id is not None:
                await conn.execute(
                    billed_lines.delete().where(billed_lines.c.document_id == document_id)
                )
                await conn.execute(  # billed again by the next run
                    update(policies)
                    .where(policies.c.policy_id == policy_id)
                    .values(billed_version=0)
                )

    @retried
    async def failed(self, document_id: str, error: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(documents)
                .where(documents.c.document_id == document_id)
                .values(attempts=documents.c.attempts + 1, last_error=error[:1000])
            )

    async def policy_ids(self, after: str, limit: int) -> list[str]:
        q = (
            select(policies.c.policy_id)
            .where(policies.c.policy_id > after)
            .order_by(policies.c.policy_id)
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            return list((await conn.execute(q)).scalars())

    async def count_policies(self) -> int:
        async with self.engine.connect() as conn:
            return int(
                (await conn.execute(select(func.count()).select_from(policies))).scalar_one()
            )

    async def start_run(self, as_of: date, actor: str, at: datetime) -> str:
        """A new run of ``as_of``, numbered after the runs of that date before it."""
        async with self.engine.begin() as conn:
            # Runs of one date started at the same time get the next numbers in turn.
            await conn.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"run:{as_of}"))))
            q = select(func.count()).select_from(billing_runs).where(billing_runs.c.as_of == as_of)
            run_id = f"RUN-{as_of:%Y%m%d}-{int((await conn.execute(q)).scalar_one()) + 1}"
            await conn.execute(
                insert(billing_runs).values(
                    run_id=run_id,
                    as_of=as_of,
                    status="running",
                    actor=actor,
                    started_at=at,
                    policies_total=0,
                    policies_done=0,
                    summary={},
                )
            )
            return run_id

    async def run_progress(
        self, run_id: str, done: int, total: int, summary: dict[str, Any]
    ) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(billing_runs)
                .where(billing_runs.c.run_id == run_id)
                .values(policies_done=done, policies_total=total, summary=summary)
            )

    @retried
    async def finish_run(
        self, run_id: str, status: str, summary: dict[str, Any], error: str | None, at: datetime
    ) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(billing_runs)
                .where(billing_runs.c.run_id == run_id)
                .values(status=status, summary=summary, error=error, finished_at=at)
            )

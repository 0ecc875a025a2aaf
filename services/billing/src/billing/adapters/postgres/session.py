"""Every SQL statement of a policy's transaction.

One :class:`PgSession` is one transaction: a policy change locks the policy, reads its
events, appends the new ones, and (when billing) records the documents and the lines they
bill, all committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from billing.adapters.postgres.schema import billed_lines, documents, policies, policy_events
from billing.application.ports import Recorded
from billing.domain.documents import Billed, Document
from billing.domain.events import EVENT_TYPES, Event
from billing.domain.premium import Key
from billing.domain.state import Policy

EVENT_NAMESPACE = uuid5(NAMESPACE_URL, "urn:receivables-billing:policy-event")


def event_id(policy_id: str, version: int) -> UUID:
    """Deterministic: the n-th event of a policy has one id, whoever writes it."""
    return uuid5(EVENT_NAMESPACE, f"{policy_id}/{version}")


class PgSession:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def events(self, policy_id: str, *, lock: bool) -> list[Recorded]:
        """With ``lock``: the policy is locked for a change until the transaction ends
        (also a policy not yet created, so two set-ups of one id run one after the other)."""
        if lock:
            key = func.hashtext(f"policy:{policy_id}")
            await self.conn.execute(select(func.pg_advisory_xact_lock(key)))
            q = select(policies.c.version).where(policies.c.policy_id == policy_id)
            await self.conn.execute(q.with_for_update())
        rows = await self.conn.execute(
            select(
                policy_events.c.version,
                policy_events.c.event_type,
                policy_events.c.data,
                policy_events.c.actor,
                policy_events.c.recorded_at,
            )
            .where(policy_events.c.policy_id == policy_id)
            .order_by(policy_events.c.version)
        )
        return [
            Recorded(
                r.version, EVENT_TYPES[r.event_type].model_validate(r.data), r.actor, r.recorded_at
            )
            for r in rows
        ]

    async def lock_billing(self, policy_id: str) -> int:
        q = select(policies.c.billed_version).where(policies.c.policy_id == policy_id)
        return int((await self.conn.execute(q.with_for_update())).scalar_one_or_none() or 0)

    async def append(
        self, policy: Policy, events: Sequence[Event], actor: str, at: datetime
    ) -> None:
        if not events:
            return
        first = policy.version - len(events) + 1
        values = {
            "account_id": policy.account_id,
            "currency": policy.currency,
            "status": policy.status,
            "version": policy.version,
            "updated_at": at,
        }
        if first == 1:
            await self.conn.execute(insert(policies).values(policy_id=policy.policy_id, **values))
        else:
            await self.conn.execute(
                update(policies).where(policies.c.policy_id == policy.policy_id).values(values)
            )
        await self.conn.execute(
            insert(policy_events),
            [
                {
                    "event_id": event_id(policy.policy_id, first + n),
                    "policy_id": policy.policy_id,
                    "version": first + n,
                    "event_type": e.event_type(),
                    "schema_version": e.schema_version,
                    "data": e.model_dump(mode="json"),
                    "actor": actor,
                    "account_id": policy.account_id,
                    "recorded_at": at,
                }
                for n, e in enumerate(events)
            ],
        )

    async def billed(self, policy_id: str, *, amounts: bool) -> Billed:
        out = Billed()
        docs = await self.conn.execute(
            select(
                documents.c.document_id,
                documents.c.invoice_id,
                documents.c.kind,
                documents.c.period_start,
                documents.c.issued_on,
            ).where(documents.c.policy_id == policy_id, documents.c.status != "rejected")
        )
        for d in docs:
            if d.kind == "invoice":
                out.invoices[d.period_start] = (d.document_id, d.issued_on)
            else:
                out.notes[d.invoice_id] = out.notes.get(d.invoice_id, 0) + 1
        if not amounts or not out.invoices:
            return out
        lines = await self.conn.execute(
            select(
                billed_lines.c.period_start,
                billed_lines.c.product,
                billed_lines.c.kind,
                billed_lines.c.tier,
                billed_lines.c.member_id,
                func.sum(billed_lines.c.amount),
            )
            .where(billed_lines.c.policy_id == policy_id)
            .group_by(
                billed_lines.c.period_start,
                billed_lines.c.product,
                billed_lines.c.kind,
                billed_lines.c.tier,
                billed_lines.c.member_id,
            )
        )
        for start, product, kind, tier, member, amount in lines:
            out.amounts.setdefault(start, {})[Key(start, product, kind, tier, member)] = int(amount)
        return out

    async def add_documents(
        self,
        policy: Policy,
        docs: Sequence[Document],
        requests: Sequence[dict[str, Any] | None],
        run_id: str | None,
        at: datetime,
    ) -> None:
        if not docs:
            return
        base = pg_insert(documents)
        # A document the ledger rejected is planned again with the same id and resent.
        again = {
            c: base.excluded[c]
            for c in (
                "kind",
                "period_end",
                "issued_on",
                "due_date",
                "amount",
                "reason",
                "lines",
                "request",
                "status",
                "run_id",
                "created_at",
            )
        }
        stmt = base.on_conflict_do_update(
            index_elements=[documents.c.document_id],
            set_={**again, "last_error": None},
            where=documents.c.status == "rejected",
        ).returning(documents.c.document_id)
        written = await self.conn.execute(
            stmt,
            [
                {
                    "document_id": d.document_id,
                    "policy_id": policy.policy_id,
                    "account_id": policy.account_id,
                    "invoice_id": d.invoice_id,
                    "kind": d.kind,
                    "period_start": d.period.start,
                    "period_end": d.period.end,
                    "issued_on": d.issued_on,
                    "due_date": d.due_date,
                    "amount": d.amount,
                    "currency": policy.currency,
                    "reason": d.reason,
                    "lines": [
                        {
                            "description": ln.description,
                            "amount": ln.amount,
                            "product": ln.product,
                            "kind": ln.kind,
                            "tier": ln.tier,
                        }
                        for ln in d.lines
                    ],
                    "request": req,
                    "status": "pending" if req is not None else "netted",
                    "attempts": 0,
                    "run_id": run_id,
                    "created_at": at,
                }
                for d, req in zip(docs, requests, strict=True)
            ],
        )
        if len(written.all()) != len(docs):
            raise RuntimeError(f"documents of {policy.policy_id} were recorded before")
        await self.conn.execute(
            insert(billed_lines),
            [
                {
                    "document_id": d.document_id,
                    "policy_id": policy.policy_id,
                    "period_start": k.period_start,
                    "product": k.product,
                    "kind": k.kind,
                    "tier": k.tier,
                    "member_id": k.member_id,
                    "amount": amount,
                }
                for d in docs
                for k, amount in d.deltas.items()
            ],
        )

    async def set_billed_version(self, policy_id: str, version: int) -> None:
        await self.conn.execute(
            update(policies).where(policies.c.policy_id == policy_id).values(billed_version=version)
        )

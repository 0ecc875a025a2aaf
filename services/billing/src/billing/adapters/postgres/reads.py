"""Read queries of the HTTP API: documents of a policy, billing runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from billing.adapters.postgres.schema import billing_runs, documents
from billing.domain.money import fmt


def _document(r: Any) -> dict[str, Any]:
    c = r.currency
    return {
        "document_id": r.document_id,
        "kind": r.kind,
        "invoice_id": r.invoice_id,
        "account_id": r.account_id,
        "period_start": r.period_start.isoformat(),
        "period_end": r.period_end.isoformat(),
        "issued_on": r.issued_on.isoformat(),
        "due_date": r.due_date.isoformat() if r.due_date else None,
        "currency": c,
        "amount": fmt(r.amount, c),
        "reason": r.reason,
        "status": r.status,
        "last_error": r.last_error,
        "run_id": r.run_id,
        "lines": [{**ln, "amount": fmt(ln["amount"], c)} for ln in r.lines],
    }


async def policy_documents(engine: AsyncEngine, policy_id: str) -> list[dict[str, Any]]:
    q = select(documents).where(documents.c.policy_id == policy_id).order_by(documents.c.seq)
    async with engine.connect() as conn:
        return [_document(r) for r in await conn.execute(q)]


def _run(r: Any) -> dict[str, Any]:
    return {
        "run_id": r.run_id,
        "as_of": r.as_of.isoformat(),
        "status": r.status,
        "actor": r.actor,
        "progress": {"policies_done": r.policies_done, "policies_total": r.policies_total},
        "summary": r.summary,
        "error": r.error,
        "started_at": r.started_at.isoformat(),
        "finished_at": r.finished_at.isoformat() if r.finished_at else None,
    }


async def run(engine: AsyncEngine, run_id: str) -> dict[str, Any] | None:
    async with engine.connect() as conn:
        row = (
            await conn.execute(select(billing_runs).where(billing_runs.c.run_id == run_id))
        ).first()
    return None if row is None else _run(row)


async def runs(engine: AsyncEngine, limit: int) -> list[dict[str, Any]]:
    q = select(billing_runs).order_by(billing_runs.c.started_at.desc()).limit(limit)
    async with engine.connect() as conn:
        return [_run(r) for r in await conn.execute(q)]

"""Routes of billing runs: start one, follow its progress, list them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from billing.adapters.http import schemas as s
from billing.adapters.http import scopes as sc
from billing.adapters.http.deps import ActorDep, BillingDep, everywhere
from billing.adapters.postgres import reads
from billing.domain.errors import NotFound
from servicekit.auth import Principal, requires

router = APIRouter(prefix="/v1/billing-runs", tags=["billing runs"])


@router.post(
    "",
    status_code=201,
    summary="Bill every policy with a period due on or before as_of (safe to repeat)",
)
async def start_run(
    principal: Annotated[Principal, requires(sc.RUN)],
    body: s.RunBody,
    billing: BillingDep,
    actor: ActorDep,
) -> dict[str, Any]:
    everywhere(principal, "a billing run")
    report = await billing.runs.run(body.as_of, actor)
    billing.metrics.runs.labels(report.status).inc()
    for kind, n in report.summary["documents"].items():
        billing.metrics.documents.labels(kind).inc(n)
    found = await reads.run(billing.engine, report.run_id)
    assert found is not None
    return found


@router.get("/{run_id}", summary="A run's progress and summary", dependencies=[requires(sc.READ)])
async def get_run(
    run_id: Annotated[str, Path(max_length=64, pattern=s.ID)], billing: BillingDep
) -> dict[str, Any]:
    found = await reads.run(billing.engine, run_id)
    if found is None:
        raise NotFound(f"no billing run {run_id}", field="run_id")
    return found


@router.get("", summary="Recent billing runs, newest first", dependencies=[requires(sc.READ)])
async def list_runs(
    billing: BillingDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> dict[str, Any]:
    return {"runs": await reads.runs(billing.engine, limit)}

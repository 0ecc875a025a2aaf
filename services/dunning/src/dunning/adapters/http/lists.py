"""Lists: accounts by dunning level and the history of dunning runs (cursor-paged)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from dunning.adapters.http import scopes as sc
from dunning.adapters.http.deps import DunningDep, everywhere
from dunning.adapters.http.views import event_view, summary
from dunning.application import queries
from dunning.application.ports import LevelFilter
from dunning.domain.errors import RuleViolation
from servicekit.auth import Principal, requires
from servicekit.paging import Key, Limit, cursor_param, encode, page
from servicekit.types import Day, JurisdictionFilter

Reader = Annotated[Principal, requires(sc.READ)]

router = APIRouter(prefix="/v1", tags=["lists"])


def summaries(found: list[queries.Summary]) -> list[dict[str, Any]]:
    """The list row of each account."""
    return [summary(state, rec, policy) for state, rec, policy in found]


@router.get("/accounts", summary="Accounts by dunning level (highest first), cursor-paged")
async def accounts(
    principal: Reader,
    dunning: DunningDep,
    after: Annotated[Key | None, cursor_param(int, str)],
    level: Annotated[int | None, Query(ge=0, le=99, description="exactly this level")] = None,
    min_level: Annotated[int, Query(ge=0, le=99, description="this level or higher")] = 0,
    jurisdiction: JurisdictionFilter = None,
    currency: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
    overdue: Annotated[bool, Query(description="only accounts with something overdue")] = False,
    limit: Limit = 50,
) -> dict[str, Any]:
    f = LevelFilter(
        level, min_level, jurisdiction, currency, overdue, within=principal.jurisdictions
    )
    found, last = await queries.accounts_by_level(
        dunning.uow, dunning.policies, f, after=after, limit=limit
    )
    cursor = None if last is None else encode(last)
    return {"accounts": summaries(found), "next_cursor": cursor}


def _run_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "as_of": row["as_of"].isoformat(),
        "runs": row["runs"],
        "accounts": row["accounts"],
        "actions": row["actions"],
        "total_actions": row["events"],
        "accounts_without_policy": row["without_policy"],
        "first_at": row["first_at"].isoformat(),
        "last_at": row["last_at"].isoformat(),
    }


@router.get(
    "/dunning-runs",
    summary="Dunning runs, newest first, with what each did",
    dependencies=[requires(sc.READ)],
)
async def run_history(
    dunning: DunningDep,
    before: Annotated[Key | None, cursor_param(date)],
    start: Annotated[Day | None, Query(alias="from", description="runs on or after")] = None,
    end: Annotated[Day | None, Query(alias="to", description="runs on or before")] = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    if start is not None and end is not None and end < start:
        raise RuleViolation("to is before from", field="to", rule="invalid-dates")
    rows = await queries.runs(
        dunning.uow, start=start, end=end, before=before[0] if before else None, limit=limit + 1
    )
    kept, cursor = page(rows, limit, key=lambda r: (r["as_of"],))
    return {"runs": [_run_view(r) for r in kept], "next_cursor": cursor}


@router.get(
    "/dunning-runs/{as_of}",
    summary="One run date: counts and the actions taken (levels, notices, fees, suspensions)",
)
async def run_detail(
    principal: Reader,
    dunning: DunningDep,
    as_of: Annotated[date, Path(description="the run's business date")],
    after: Annotated[Key | None, cursor_param(int)],
    limit: Limit = 200,
) -> dict[str, Any]:
    everywhere(principal, "a run's actions")
    row, events = await queries.run_detail(
        dunning.uow, as_of, after=after[0] if after else 0, limit=limit + 1
    )
    kept, cursor = page(events, limit, key=lambda e: (e["seq"],))
    return {**_run_view(row), "events": [event_view(e) for e in kept], "next_cursor": cursor}

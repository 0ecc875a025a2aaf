"""Lists: accounts by dunning level and the history of dunning runs (cursor-paged)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy.ext.asyncio import AsyncConnection

from dunning.adapters.http import scopes as sc
from dunning.adapters.http.deps import DunningDep, everywhere
from dunning.adapters.http.views import event_view, summary
from dunning.adapters.postgres import lists
from dunning.adapters.postgres import repository as repo
from dunning.bootstrap import Dunning
from dunning.domain.errors import NotFound, RuleViolation
from dunning.domain.state import DunningState
from servicekit.auth import Principal, requires
from servicekit.paging import Key, Limit, cursor_param, page

Reader = Annotated[Principal, requires(sc.READ)]

router = APIRouter(prefix="/v1", tags=["lists"])


async def summaries(
    conn: AsyncConnection, dunning: Dunning, states: list[DunningState]
) -> list[dict[str, Any]]:
    """The worklist row of each state (accounts the ledger has not told about are left out)."""
    by_id = {p.policy_id: p for p in dunning.policies.policies}
    rows = []
    for state in states:
        rec = await repo.load_receivables(conn, state.account_id)
        if rec is not None:
            rows.append(summary(state, rec, by_id.get(state.policy_id or "")))
    return rows


@router.get("/accounts", summary="Accounts by dunning level (highest first), cursor-paged")
async def accounts(
    principal: Reader,
    dunning: DunningDep,
    after: Annotated[Key | None, cursor_param(int, str)],
    level: Annotated[int | None, Query(ge=0, le=99, description="exactly this level")] = None,
    min_level: Annotated[int, Query(ge=0, le=99, description="this level or higher")] = 0,
    jurisdiction: Annotated[str | None, Query(pattern="^[A-Z]{2}$")] = None,
    currency: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
    overdue: Annotated[bool, Query(description="only accounts with something overdue")] = False,
    limit: Limit = 50,
) -> dict[str, Any]:
    f = lists.LevelFilter(
        level, min_level, jurisdiction, currency, overdue, within=principal.jurisdictions
    )
    async with dunning.engine.connect() as conn:
        states = await lists.accounts_by_level(conn, f, after=after, limit=limit + 1)
        kept, cursor = page(states, limit, key=lambda s: (s.level, s.account_id))
        rows = await summaries(conn, dunning, kept)
    return {"accounts": rows, "next_cursor": cursor}


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
    start: Annotated[date | None, Query(alias="from", description="runs on or after")] = None,
    end: Annotated[date | None, Query(alias="to", description="runs on or before")] = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    if start is not None and end is not None and end < start:
        raise RuleViolation("to is before from", field="to", rule="invalid-dates")
    async with dunning.engine.connect() as conn:
        rows = await lists.runs(
            conn, start=start, end=end, before=before[0] if before else None, limit=limit + 1
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
    async with dunning.engine.connect() as conn:
        row = await lists.run(conn, as_of)
        if row is None:
            raise NotFound(f"no dunning run for {as_of}", field="as_of")
        events = await lists.run_events(
            conn, as_of, after=after[0] if after else 0, limit=limit + 1
        )
    kept, cursor = page(events, limit, key=lambda e: (e["seq"],))
    return {**_run_view(row), "events": [event_view(e) for e in kept], "next_cursor": cursor}

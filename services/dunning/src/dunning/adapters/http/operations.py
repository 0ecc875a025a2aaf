"""Collector and operator routes: worklist, dunning runs, policies, dunning's event feed."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from dunning.adapters.http import schemas as s
from dunning.adapters.http import scopes as sc
from dunning.adapters.http.deps import DunningDep, everywhere
from dunning.adapters.http.lists import summaries
from dunning.adapters.http.views import LEVEL_COLUMNS, event_view
from dunning.application import queries, runs
from servicekit.auth import Principal, requires
from servicekit.exports import Column, Report, download, format_param
from servicekit.types import Position, SmallCount

router = APIRouter(prefix="/v1", tags=["operations"])


WORKLIST_COLUMNS = (
    *LEVEL_COLUMNS,
    Column("overdue", "Overdue", "money"),
    Column("earliest_unpaid_due_date", "Oldest unpaid due", "date"),
    Column("next", "Next action"),
    Column("paused", "Paused"),
)


@router.get("/worklist", summary="Overdue accounts with level, amount, days and next action")
async def worklist(
    principal: Annotated[Principal, requires(sc.READ)],
    dunning: DunningDep,
    fmt: Annotated[str, format_param("json", "csv", "xlsx")],
    jurisdiction: str | None = None,
    min_level: Annotated[SmallCount, Query()] = 0,
    sort: Literal["days_past_due", "overdue", "level", "account_id"] = "days_past_due",
    page: Annotated[SmallCount, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    total, found = await queries.worklist(
        dunning.uow,
        dunning.policies,
        jurisdiction=jurisdiction,
        within=principal.jurisdictions,
        min_level=min_level,
        sort=sort,
        page=page,
        page_size=page_size,
    )
    rows = summaries(found)
    body = {"total": total, "page": page, "page_size": page_size, "sort": sort, "accounts": rows}
    report = Report(
        title="Collector worklist",
        columns=WORKLIST_COLUMNS,
        rows=[{**r, "next": _next(r.get("next_action"))} for r in rows],
        meta=[("Sort", sort), ("Page", f"{page} ({len(rows)} of {total})")],
        sheet="Worklist",
    )
    return download(fmt, report, f"worklist-{page}", body)


def _next(action: Any) -> str:
    """The next action in words: "level 3 Final notice on 2026-03-02", "paused until …"."""
    if not isinstance(action, dict):
        return ""
    kind = action.get("kind")
    if kind == "level":
        return f"level {action['level']} {action['name']} on {action['due_on']}"
    if kind == "paused":
        return f"paused until {action['until']}"
    if kind == "end_of_ladder":
        return f"end of ladder (level {action['level']})"
    return str(kind or "")


@router.post(
    "/dunning-runs",
    summary="Run dunning for a business date (idempotent per date)",
    description="`as_of` may not be after today (by the service's clock): a run acts for "
    "real, so a future date is refused with 422 naming `as_of`.",
)
async def dunning_run(
    principal: Annotated[Principal, requires(sc.RUN)], body: s.RunBody, dunning: DunningDep
) -> dict[str, Any]:
    everywhere(principal, "a dunning run")
    report = await runs.run(
        dunning.uow, dunning.policies, body.as_of, dunning.clock.today(), dunning.run_retries()
    )
    delivered = await dunning.effects.deliver()
    return {
        "as_of": body.as_of.isoformat(),
        "run_number": report.run_number,
        "accounts": report.accounts,
        "actions": report.events,
        "accounts_without_policy": report.without_policy,
        "retries": report.retries,
        "delivered": {
            "notices": delivered.notices,
            "fees": delivered.fees,
            "failures": delivered.failures,
        },
    }


@router.get("/policies", summary="The loaded dunning policies", dependencies=[requires(sc.READ)])
async def policies(dunning: DunningDep) -> dict[str, Any]:
    return {
        "source": str(dunning.settings.policy_file or "packaged default policies.yaml"),
        **dunning.policies.model_dump(mode="json"),
    }


@router.get("/events", summary="Dunning's own events in order (what goes to Kafka)")
async def events(
    principal: Annotated[Principal, requires(sc.READ)],
    dunning: DunningDep,
    after: Annotated[Position, Query()] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    everywhere(principal, "dunning's event feed")
    rows = await queries.events_after(dunning.uow, after, limit)
    return {
        "events": [event_view(r) for r in rows],
        "next_after": rows[-1]["seq"] if rows else after,
    }

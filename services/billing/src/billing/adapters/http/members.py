"""Routes of members: enrol, change tier, terminate, upload a member list, reconcile."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from billing.adapters import files
from billing.adapters.http import schemas as s
from billing.adapters.http import scopes as sc
from billing.adapters.http.deps import ActorDep, BillingDep, PolicyId
from billing.adapters.http.views import policy_view
from billing.application import members as lists
from billing.application.reconcile import COLUMNS, reconcile
from billing.domain import decide as cmd
from servicekit.auth import requires
from servicekit.exports import attachment
from servicekit.types import Day

router = APIRouter(prefix="/v1/policies/{policy_id}", tags=["members"])
MemberId = Annotated[str, Path(max_length=64, pattern=s.ID)]
FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            files.XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
Effective = Annotated[
    Day | None,
    Query(
        description="when tier changes take effect (and, for a complete list, the day "
        "after the last day of cover of members missing from it)"
    ),
]


@router.post(
    "/members", status_code=201, summary="Enrol members", dependencies=[requires(sc.POLICIES)]
)
async def enrol(
    policy_id: PolicyId, body: s.MembersBody, billing: BillingDep, actor: ActorDep
) -> dict[str, Any]:
    commands = [
        cmd.EnrolMember(policy_id=policy_id, reason=body.reason, **m.model_dump())
        for m in body.members
    ]
    return policy_view((await billing.policies.change(policy_id, commands, actor)).policy)


@router.post(
    "/members/{member_id}/tier",
    status_code=201,
    summary="Move a member to another tier",
    dependencies=[requires(sc.POLICIES)],
)
async def change_tier(
    policy_id: PolicyId,
    member_id: MemberId,
    body: s.TierChangeBody,
    billing: BillingDep,
    actor: ActorDep,
) -> dict[str, Any]:
    command = cmd.ChangeTier(
        policy_id=policy_id,
        member_id=member_id,
        tier=body.tier,
        changed_on=body.changed_on,
        reason=body.reason,
    )
    return policy_view((await billing.policies.change(policy_id, [command], actor)).policy)


@router.post(
    "/members/{member_id}/termination",
    status_code=201,
    summary="End a member's cover",
    dependencies=[requires(sc.POLICIES)],
)
async def terminate_member(
    policy_id: PolicyId,
    member_id: MemberId,
    body: s.MemberTerminationBody,
    billing: BillingDep,
    actor: ActorDep,
) -> dict[str, Any]:
    command = cmd.TerminateMember(
        policy_id=policy_id, member_id=member_id, end=body.end, reason=body.reason
    )
    return policy_view((await billing.policies.change(policy_id, [command], actor)).policy)


@router.post(
    "/members/upload",
    status_code=201,
    summary="Upload a member list (CSV or XLSX): enrolments, tier changes, terminations",
    openapi_extra=FILE_BODY,
    dependencies=[requires(sc.POLICIES)],
)
async def upload(
    policy_id: PolicyId,
    request: Request,
    billing: BillingDep,
    actor: ActorDep,
    reason: Annotated[str, Query(min_length=1, max_length=300)],
    effective_on: Effective = None,
    complete: Annotated[bool, Query(description="the list is the whole membership")] = False,
    content_type: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    rows = lists.parse(files.read_rows(await request.body(), content_type))
    policy, _ = await billing.policies.get(policy_id)
    commands = lists.changes(
        policy, rows, effective_on=effective_on, complete=complete, reason=reason
    )
    changed = await billing.policies.change(policy_id, commands, actor)
    return {**policy_view(changed.policy), "changes": len(changed.events)}


@router.post(
    "/reconciliations",
    summary="Reconcile a billed period against the client's member list (JSON, CSV or XLSX)",
    openapi_extra=FILE_BODY,
    response_model=None,
    dependencies=[requires(sc.POLICIES)],
)
async def reconciliation(
    policy_id: PolicyId,
    request: Request,
    billing: BillingDep,
    period_start: Annotated[Day, Query(description="start of an invoiced period")],
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
    content_type: Annotated[str | None, Header()] = None,
) -> Response:
    rows = lists.parse(files.read_rows(await request.body(), content_type))
    policy, _ = await billing.policies.get(policy_id)
    billed = await billing.policies.billed(policy_id)
    report = reconcile(policy, billed, period_start, rows)
    name = f"reconciliation-{policy_id}-{period_start:%Y%m%d}"
    if format == "csv":
        return attachment(files.to_csv(COLUMNS, report["discrepancies"]), f"{name}.csv", "text/csv")
    if format == "xlsx":
        return attachment(
            files.to_xlsx("Discrepancies", COLUMNS, report["discrepancies"]),
            f"{name}.xlsx",
            files.XLSX,
        )
    return JSONResponse(report)

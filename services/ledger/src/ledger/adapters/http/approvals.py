"""Four-eyes requests: credit-limit changes, decisions, and the queue of pending requests.

A write-off above the configured threshold (``LEDGER_WRITE_OFF_APPROVAL_THRESHOLD``) and
every credit-limit change are requests: recorded on the account (history, feed), with no
effect on balances or the journal until a user other than the requester approves them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ledger.adapters.http import operations as op
from ledger.adapters.http import schemas as s
from ledger.adapters.http import scopes as sc
from ledger.adapters.http.access import Reader, VisibleAccount, jurisdictions
from ledger.adapters.http.deps import AccountId, CommandContext, Conn, Ctx
from ledger.adapters.postgres.approvals import RequestFilter, pending_requests
from ledger.domain.money import format_minor
from ledger.domain.state import CREDIT_LIMIT, WRITE_OFF
from servicekit.auth import requires
from servicekit.paging import Key, Limit, cursor_param, page
from servicekit.types import JurisdictionFilter

router = APIRouter(prefix="/v1", tags=["approvals"])

IdFilter = Annotated[str | None, Query(min_length=1, max_length=64, pattern=s.ID_PATTERN)]
ByRequest = Annotated[Key | None, cursor_param(str, str)]
FOUR_EYES = (
    "The requester may not decide their own request (rule `four-eyes`; identities are "
    "compared case- and width-insensitively). "
)


@router.post(
    "/accounts/{account_id}/credit-limit-changes",
    status_code=201,
    summary="Request a new credit limit (takes effect when a second user approves it)",
    description="Records `CreditLimitChangeRequested`; the limit is unchanged until the "
    "request is approved. Idempotent by `request_id`.",
    dependencies=[requires(sc.CREDIT_LIMITS)],
)
async def change_credit_limit(
    account_id: VisibleAccount, body: s.CreditLimitChangeBody, ctx: Ctx
) -> JSONResponse:
    return await ctx.run(account_id, op.change_credit_limit(body, {}, ctx.today))


@router.post(
    "/accounts/{account_id}/approvals/{request_id}/approve",
    status_code=201,
    summary="Approve a pending request: the write-off or new credit limit takes effect",
    description=FOUR_EYES + "A request that no longer holds (the invoice was paid or "
    "credited meanwhile) is refused (rule `request-no-longer-valid`) and stays pending. "
    "A retry by the same user replays the answer.",
    dependencies=[requires(sc.APPROVALS)],
)
async def approve(
    account_id: VisibleAccount, request_id: AccountId, body: s.ApproveBody, ctx: Ctx
) -> JSONResponse:
    return await _decide(account_id, request_id, body, ctx)


@router.post(
    "/accounts/{account_id}/approvals/{request_id}/reject",
    status_code=201,
    summary="Reject a pending request; nothing it asked for happens",
    dependencies=[requires(sc.APPROVALS)],
)
async def reject(
    account_id: VisibleAccount, request_id: AccountId, body: s.RejectBody, ctx: Ctx
) -> JSONResponse:
    return await _decide(account_id, request_id, body, ctx)


async def _decide(
    account_id: str, request_id: str, body: s.ApproveBody | s.RejectBody, ctx: CommandContext
) -> JSONResponse:
    prepared = op.decide_request(body, {"request_id": request_id}, ctx.today, actor=ctx.meta.actor)
    return await ctx.run(account_id, prepared, derive_key=True)


class PendingRequest(BaseModel):
    account_id: str
    account_name: str
    jurisdiction: str
    currency: str
    request_id: str
    kind: str
    amount: str  # the write-off, or the new credit limit
    current_credit_limit: str | None
    invoice_id: str | None
    reason: str
    requested_by: str
    requested_on: str


class PendingPage(BaseModel):
    requests: list[PendingRequest]
    next_cursor: str | None


def _view(row: dict[str, Any]) -> dict[str, Any]:
    request, currency = row["request"], row["currency"]
    limit = row["credit_limit"] if request["kind"] == CREDIT_LIMIT else None
    return {
        "account_id": row["account_id"],
        "account_name": row["name"],
        "jurisdiction": row["jurisdiction"],
        "currency": currency,
        "request_id": row["request_id"],
        "kind": request["kind"],
        "amount": format_minor(request["amount"], currency),
        "current_credit_limit": None if limit is None else format_minor(limit, currency),
        "invoice_id": request["invoice_id"],
        "reason": request["reason"],
        "requested_by": request["requested_by"],
        "requested_on": request["requested_on"],
    }


@router.get(
    "/approvals",
    summary="Requests waiting for approval (write-offs above the threshold, credit limits)",
    response_model=PendingPage,
)
async def list_pending(
    principal: Reader,
    conn: Conn,
    after: ByRequest,
    kind: Annotated[str | None, Query(pattern=f"^({WRITE_OFF}|{CREDIT_LIMIT})$")] = None,
    account_id: Annotated[
        str | None, Query(min_length=1, max_length=64, pattern=s.ID_PATTERN)
    ] = None,
    jurisdiction: JurisdictionFilter = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    within = jurisdictions(principal, jurisdiction)
    rows = await pending_requests(
        conn, RequestFilter(account_id, kind), after=after, limit=limit + 1, within=within
    )
    kept, cursor = page(rows, limit, key=lambda r: (r["account_id"], r["request_id"]))
    return {"requests": [_view(r) for r in kept], "next_cursor": cursor}

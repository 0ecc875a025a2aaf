"""Credit-control routes: blacklist and credit check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from dunning.adapters.http import schemas as s
from dunning.adapters.http import scopes as sc
from dunning.adapters.http.deps import ActorDep, DunningDep, VisibleAccount, check_visible
from dunning.application import credit, queries
from dunning.domain.credit import BlacklistEntry
from dunning.domain.errors import RuleViolation
from dunning.domain.money import format_minor
from servicekit.auth import Forbidden, Principal, requires

router = APIRouter(prefix="/v1", tags=["credit control"])


@router.post("/blacklist", status_code=201, summary="Put an account on the blacklist")
async def add(
    principal: Annotated[Principal, requires(sc.CREDIT)],
    body: s.BlacklistBody,
    dunning: DunningDep,
    actor: ActorDep,
) -> dict[str, Any]:
    if not principal.sees(body.jurisdiction):
        raise Forbidden(f"{principal.subject} may not act in {body.jurisdiction}")
    await check_visible(dunning, principal, body.account_id)
    known = await queries.jurisdiction_of(dunning.uow, body.account_id)
    if known is not None and known != body.jurisdiction:  # else listed where it is not
        raise RuleViolation(
            f"account {body.account_id} is in {known}, not {body.jurisdiction}",
            field="jurisdiction",
        )
    entry = BlacklistEntry(
        account_id=body.account_id,
        reason=body.reason,
        jurisdiction=body.jurisdiction,
        added_by=actor,
        added_on=dunning.clock.today(),
        expires_on=body.expires_on,
    )
    await credit.blacklist_add(dunning.uow, entry)
    return _entry(entry)


@router.delete(
    "/blacklist/{account_id}",
    status_code=204,
    summary="Take an account off it",
    dependencies=[requires(sc.CREDIT)],
)
async def remove(account_id: VisibleAccount, dunning: DunningDep, actor: ActorDep) -> Response:
    await credit.blacklist_remove(dunning.uow, account_id, actor, dunning.clock.today())
    return Response(status_code=204)


@router.get("/blacklist", summary="Active blacklist entries")
async def list_entries(
    principal: Annotated[Principal, requires(sc.READ)], dunning: DunningDep
) -> dict[str, Any]:
    entries = await queries.blacklist(dunning.uow, dunning.clock.today())
    return {"entries": [_entry(e) for e in entries if principal.sees(e.jurisdiction)]}


def _entry(e: BlacklistEntry) -> dict[str, Any]:
    return {
        "account_id": e.account_id,
        "reason": e.reason,
        "jurisdiction": e.jurisdiction,
        "added_by": e.added_by,
        "added_on": e.added_on.isoformat(),
        "expires_on": e.expires_on.isoformat() if e.expires_on else None,
    }


@router.get(
    "/credit-check",
    summary="May this account take on more? With the reasons",
    responses={404: {"description": "Dunning knows no such account"}},
)
async def credit_check(
    principal: Annotated[Principal, requires(sc.READ)],
    dunning: DunningDep,
    account_id: Annotated[str, Query(min_length=1, max_length=64)],
    amount: Annotated[
        str | None,
        Query(
            pattern=r"^\d{1,15}(\.\d{1,6})?$",
            description='the amount to take on, more than zero, e.g. "500.00"; without it the '
            "account is checked as it stands",
        ),
    ] = None,
) -> dict[str, Any]:
    await check_visible(dunning, principal, account_id)
    result, minor, cur = await credit.check(
        dunning.uow, dunning.policies, account_id, amount, dunning.clock.today()
    )
    return {
        "account_id": account_id,
        "allowed": result.allowed,
        "reasons": [{"code": r.code, "detail": r.detail} for r in result.reasons],
        "currency": cur,
        "amount": format_minor(minor, cur),
        "balance": format_minor(result.balance, cur),
        "credit_limit": format_minor(result.credit_limit, cur),
        "utilisation_percent": result.utilisation,
    }

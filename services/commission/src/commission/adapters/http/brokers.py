"""Routes of the broker register: brokers, bank-detail changes, agreements, accruals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from commission.adapters.http import scopes as sc
from commission.adapters.http import views
from commission.adapters.http.deps import Actor, Caller, CommissionDep, VisibleBroker
from commission.adapters.http.schemas import AgreementIn, BankChangeIn, BrokerIn, DecisionIn
from commission.application import brokers as app
from commission.domain.settlement import PERIOD_PATTERN, Period
from servicekit.auth import Forbidden, Principal, requires
from servicekit.paging import Key, Limit, cursor_param, page
from servicekit.types import JurisdictionFilter

router = APIRouter(prefix="/v1/brokers", tags=["brokers"])


def _broker_doc(record: app.BrokerRecord) -> dict[str, Any]:
    return views.broker_view(record.broker, record.active, record.changes)


def _replayed(body: dict[str, Any], replayed: bool, status: int = 201) -> JSONResponse:
    """A replay answers as the original did (same status), marked ``Idempotent-Replayed``."""
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return JSONResponse(body, status_code=status, headers=headers)


@router.post(
    "",
    status_code=201,
    summary="Register a broker with validated bank details",
    dependencies=[requires(sc.BROKERS)],
)
async def register(
    body: BrokerIn, service: CommissionDep, principal: Caller, actor: Actor
) -> JSONResponse:
    if not principal.sees(body.jurisdiction):
        raise Forbidden(f"{principal.subject} may not register brokers in {body.jurisdiction}")
    record, replayed = await app.register(
        service.uow, body.model_dump(mode="json"), body.bank.details(), actor, service.clock.now()
    )
    return _replayed(_broker_doc(record), replayed)


@router.get("", summary="Find brokers by name or id (any case) and jurisdiction, cursor-paged")
async def list_brokers(
    principal: Annotated[Principal, requires(sc.READ)],
    service: CommissionDep,
    after: Annotated[Key | None, cursor_param(str, str)],
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="part of the name or the broker id"),
    ] = None,
    jurisdiction: JurisdictionFilter = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    rows = await app.search(
        service.uow,
        text=q,
        jurisdiction=jurisdiction,
        within=principal.jurisdictions,
        after=after,
        limit=limit + 1,
    )
    kept, cursor = page(rows, limit, key=lambda r: (r["name"], r["broker_id"]))
    return {
        "brokers": [
            {
                "broker_id": r["broker_id"],
                "name": r["name"],
                "jurisdiction": r["jurisdiction"],
                "contact_email": r["contact_email"],
                "registered_at": r["registered_at"].isoformat(),
                "agreements": r["agreements"],
                "bank_details_active": r["approved_bank_changes"] > 0,
                "pending_bank_changes": r["pending_bank_changes"],
            }
            for r in kept
        ],
        "next_cursor": cursor,
    }


@router.get(
    "/{broker_id}",
    summary="A broker with its active bank details",
    dependencies=[requires(sc.READ)],
)
async def get_broker(broker_id: VisibleBroker, service: CommissionDep) -> dict[str, Any]:
    return _broker_doc(await app.broker(service.uow, broker_id))


@router.post(
    "/{broker_id}/bank-detail-changes",
    status_code=202,
    summary="Request a change of bank details (takes effect when a second user approves)",
    dependencies=[requires(sc.BANK)],
)
async def request_change(
    broker_id: VisibleBroker, body: BankChangeIn, service: CommissionDep, actor: Actor
) -> JSONResponse:
    change, replayed = await app.request_change(
        service.uow, broker_id, body.change_id, body.bank.details(), actor, service.clock.now()
    )
    return _replayed(views.change_view(change), replayed, 202)


@router.get(
    "/{broker_id}/bank-detail-changes",
    summary="History of the bank details",
    dependencies=[requires(sc.READ)],
)
async def changes(broker_id: VisibleBroker, service: CommissionDep) -> dict[str, Any]:
    history = await app.changes(service.uow, broker_id)
    return {"broker_id": broker_id, "changes": [views.change_view(c) for c in history]}


async def _decide(
    broker_id: str,
    change_id: str,
    approve: bool,
    body: DecisionIn | None,
    service: CommissionDep,
    actor: str,
) -> dict[str, Any]:
    decided = await app.decide_change(
        service.uow,
        broker_id,
        change_id,
        approve=approve,
        actor=actor,
        now=service.clock.now(),
        note=body.note if body else None,
    )
    return views.change_view(decided)


@router.post(
    "/{broker_id}/bank-detail-changes/{change_id}/approve",
    summary="Approve (checker)",
    dependencies=[requires(sc.BANK)],
)
async def approve(
    broker_id: VisibleBroker,
    change_id: str,
    service: CommissionDep,
    actor: Actor,
    body: DecisionIn | None = None,
) -> dict[str, Any]:
    return await _decide(broker_id, change_id, True, body, service, actor)


@router.post(
    "/{broker_id}/bank-detail-changes/{change_id}/reject",
    summary="Reject a change",
    dependencies=[requires(sc.BANK)],
)
async def reject(
    broker_id: VisibleBroker,
    change_id: str,
    service: CommissionDep,
    actor: Actor,
    body: DecisionIn | None = None,
) -> dict[str, Any]:
    return await _decide(broker_id, change_id, False, body, service, actor)


@router.post(
    "/{broker_id}/agreements",
    status_code=201,
    summary="Add an effective-dated agreement",
    dependencies=[requires(sc.BROKERS)],
)
async def add_agreement(
    broker_id: VisibleBroker, body: AgreementIn, service: CommissionDep
) -> JSONResponse:
    agreement, replayed = await app.add_agreement(
        service.uow, broker_id, body.model_dump(mode="json"), service.clock.now()
    )
    return _replayed(views.agreement_view(agreement), replayed)


@router.get(
    "/{broker_id}/agreements",
    summary="The broker's agreements",
    dependencies=[requires(sc.READ)],
)
async def agreements(broker_id: VisibleBroker, service: CommissionDep) -> dict[str, Any]:
    found = await app.agreements(service.uow, broker_id)
    return {"broker_id": broker_id, "agreements": [views.agreement_view(a) for a in found]}


@router.get(
    "/{broker_id}/accruals",
    summary="Accruals and clawbacks, by entry date",
    dependencies=[requires(sc.READ)],
)
async def accruals(
    broker_id: VisibleBroker,
    service: CommissionDep,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
) -> dict[str, Any]:
    p = Period.parse(period) if period else None
    rows = await app.accruals(
        service.uow, broker_id, p.first_day if p else None, p.last_day if p else None
    )
    return {
        "broker_id": broker_id,
        "period": period,
        "totals": views.totals(rows),
        "entries": [views.entry_view(e) for e in rows],
    }

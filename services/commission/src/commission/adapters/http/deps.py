"""FastAPI dependencies: the composition root's objects, who is acting, what they may see.

A caller limited to some jurisdictions sees only brokers of those: any other broker
answers 404, as one that does not exist, and lists leave them out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from commission.application import statements
from commission.bootstrap import Commission
from commission.domain.errors import NotFound
from commission.domain.settlement import PERIOD_PATTERN
from servicekit.auth import Actor, Caller, Principal
from servicekit.auth import require_everywhere as everywhere


async def get_commission(request: Request) -> Commission:
    service: Commission = request.app.state.commission
    return service


CommissionDep = Annotated[Commission, Depends(get_commission)]
BrokerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN, examples=["2026-11"])]


async def check_broker(service: Commission, principal: Principal, broker_id: str) -> None:
    if principal.everywhere:
        return
    jurisdiction = await statements.broker_jurisdiction(service.uow, broker_id)
    if jurisdiction is None or not principal.sees(jurisdiction):
        raise NotFound(f"broker {broker_id} does not exist", field="broker_id")


async def visible_broker(service: CommissionDep, principal: Caller, broker_id: BrokerId) -> str:
    """The path's broker, if the caller may see it."""
    await check_broker(service, principal, broker_id)
    return broker_id


VisibleBroker = Annotated[str, Depends(visible_broker)]

__all__ = [
    "Actor",
    "BrokerId",
    "Caller",
    "CommissionDep",
    "PeriodPath",
    "VisibleBroker",
    "check_broker",
    "everywhere",
    "get_commission",
]

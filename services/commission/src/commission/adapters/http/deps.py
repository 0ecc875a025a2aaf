"""FastAPI dependencies: the composition root's objects and who is acting."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Request

from commission.bootstrap import Commission
from commission.domain.errors import SameUserApproval
from commission.domain.settlement import PERIOD_PATTERN


async def get_commission(request: Request) -> Commission:
    service: Commission = request.app.state.commission
    return service


CommissionDep = Annotated[Commission, Depends(get_commission)]
BrokerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
PeriodPath = Annotated[str, Path(pattern=PERIOD_PATTERN, examples=["2026-11"])]


async def actor(
    service: CommissionDep,
    x_actor: Annotated[str | None, Header(max_length=128, description="who acts")] = None,
) -> str:
    return x_actor or service.settings.default_actor


Actor = Annotated[str, Depends(actor)]


async def named_actor(
    x_actor: Annotated[
        str | None,
        Header(
            max_length=128,
            description="who acts: required, so that maker and checker are two named users",
        ),
    ] = None,
) -> str:
    """Maker-checker needs names: without one, anyone's approval would pass as the default."""
    if not x_actor:
        raise SameUserApproval(
            "bank-detail changes are requested and decided by named users: send X-Actor",
            field="X-Actor",
        )
    return x_actor


NamedActor = Annotated[str, Depends(named_actor)]

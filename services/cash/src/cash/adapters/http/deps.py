"""FastAPI dependencies: the composition root's objects and who is acting."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from cash.bootstrap import Cash
from servicekit.auth import Forbidden, Principal, current_principal


async def get_cash(request: Request) -> Cash:
    service: Cash = request.app.state.cash
    return service


CashDep = Annotated[Cash, Depends(get_cash)]
LineId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
FileId = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


Caller = Annotated[Principal, Depends(current_principal)]


async def actor(principal: Caller) -> str:
    """Who acts: the authenticated subject (or a trusted service's user, as such)."""
    return principal.actor


Actor = Annotated[str, Depends(actor)]


async def everywhere(principal: Caller) -> None:
    """Statement lines are not yet any jurisdiction's: a limited caller is refused."""
    if not principal.everywhere:
        raise Forbidden(f"cash spans every jurisdiction; {principal.subject} is limited")

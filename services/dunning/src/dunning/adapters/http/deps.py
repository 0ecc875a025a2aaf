"""FastAPI dependencies: the composition root's objects, the caller, and what they may see.

A caller limited to some jurisdictions sees only accounts of those: any other answers 404
(as an account dunning does not know), and lists leave them out.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from dunning.application import queries
from dunning.bootstrap import Dunning
from dunning.domain import errors as err
from servicekit.auth import Actor as ActorDep
from servicekit.auth import Caller, Principal
from servicekit.auth import require_everywhere as everywhere


def get_dunning(request: Request) -> Dunning:
    dunning: Dunning = request.app.state.dunning
    return dunning


DunningDep = Annotated[Dunning, Depends(get_dunning)]


async def check_visible(dunning: Dunning, principal: Principal, account_id: str) -> None:
    if principal.everywhere:
        return
    jurisdiction = await queries.jurisdiction_of(dunning.uow, account_id)
    if not principal.sees(jurisdiction):
        raise err.NotFound(f"account {account_id} is not known to dunning", field="account_id")


async def visible_account(
    dunning: DunningDep,
    principal: Caller,
    account_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")],
) -> str:
    """The path's account, if the caller may see it."""
    await check_visible(dunning, principal, account_id)
    return account_id


VisibleAccount = Annotated[str, Depends(visible_account)]

__all__ = [
    "ActorDep",
    "Caller",
    "DunningDep",
    "VisibleAccount",
    "check_visible",
    "everywhere",
    "get_dunning",
]

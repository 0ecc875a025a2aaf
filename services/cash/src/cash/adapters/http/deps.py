"""FastAPI dependencies: the composition root's objects and who is acting."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Request

from cash.bootstrap import Cash


async def get_cash(request: Request) -> Cash:
    service: Cash = request.app.state.cash
    return service


CashDep = Annotated[Cash, Depends(get_cash)]
LineId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
FileId = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


async def actor(
    service: CashDep,
    x_actor: Annotated[str | None, Header(max_length=128, description="who acts")] = None,
) -> str:
    return x_actor or service.settings.default_actor


Actor = Annotated[str, Depends(actor)]

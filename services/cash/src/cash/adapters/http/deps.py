"""FastAPI dependencies: the composition root's objects and who is acting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Protocol

from fastapi import Depends, Path, Request
from sqlalchemy.ext.asyncio import AsyncConnection

from cash.adapters.postgres.store import PostgresStore
from cash.application.ports import ImportRecord
from cash.application.scope import sees_all
from cash.bootstrap import Cash
from cash.domain.errors import NotFound
from servicekit.auth import Actor as Actor  # the routes' names for who calls and acts
from servicekit.auth import Caller as Caller
from servicekit.auth import Principal, require_everywhere


async def get_cash(request: Request) -> Cash:
    service: Cash = request.app.state.cash
    return service


CashDep = Annotated[Cash, Depends(get_cash)]
LineId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
FileId = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


async def everywhere(principal: Caller) -> None:
    """For what spans every jurisdiction (a collection run, the dead letters): a caller
    limited to some is refused."""
    require_everywhere(principal, "this")


class Placed(Protocol):
    @property
    def jurisdiction(self) -> str | None: ...


async def hide_elsewhere(
    service: Cash,
    caller: Principal,
    find: Callable[[AsyncConnection], Awaitable[Placed | None]],
    missing: NotFound,
) -> None:
    """For a path's object, as a dependency: a caller limited to some jurisdictions gets
    ``missing`` (404) for one of another, as for none. Dependencies run before the body is
    read, so an object elsewhere is never told apart from none by a 422 either."""
    if caller.everywhere:
        return
    async with service.engine.connect() as conn:
        found = await find(conn)
    if found is None or not caller.sees(found.jurisdiction):
        raise missing


async def visible_line(line_id: LineId, caller: Caller, service: CashDep) -> str:
    """The path's statement line (its bank account's jurisdiction)."""
    missing = NotFound(f"no statement line {line_id}", field="line_id")
    await hide_elsewhere(service, caller, lambda c: PostgresStore(c).line(line_id), missing)
    return line_id


async def visible_import(file_id: FileId, caller: Caller, service: CashDep) -> ImportRecord:
    """The path's import, if the caller may see every bank account in it (else 404)."""
    async with service.engine.connect() as conn:
        found = await PostgresStore(conn).find_import(file_id)
    if found is None or not sees_all(caller.jurisdictions, found.jurisdictions):
        raise NotFound(f"no import {file_id}", field="file_id")
    return found


VisibleLine = Annotated[str, Depends(visible_line)]
VisibleImport = Annotated[ImportRecord, Depends(visible_import)]

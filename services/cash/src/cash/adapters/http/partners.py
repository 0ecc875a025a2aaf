"""Payment partners' saved CSV mappings over HTTP, and the reader an import uses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from cash.adapters.formats import parse, partner_csv
from cash.adapters.http import scopes as sc
from cash.adapters.http.deps import Actor, CashDep, everywhere
from cash.adapters.postgres import partners as sql
from cash.application.importing import Parse
from cash.bootstrap import Cash
from cash.domain.errors import InvalidStatement, NotFound
from cash.domain.partners import CsvMapping
from servicekit.auth import requires

router = APIRouter(prefix="/v1/partners", tags=["partners"], dependencies=[Depends(everywhere)])

PartnerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]


async def reader(service: Cash, fmt: str | None, partner: str | None) -> Parse:
    """How to read an import: a partner's CSV mapping, or the statement formats."""
    if fmt != "csv":
        return lambda raw, fid: parse(raw, fid, fmt)
    if not partner:
        raise InvalidStatement("a CSV import names its partner (partner=...)")
    async with service.engine.connect() as conn:
        mapping = await sql.load(conn, partner)
    if mapping is None:
        raise NotFound(f"no CSV mapping saved for partner {partner}", field="partner")
    return lambda raw, fid: ("csv", partner_csv.parse(raw, fid, mapping))


@router.put(
    "/{partner_id}/csv-mapping",
    summary="Save the partner's CSV column mapping",
    dependencies=[requires(sc.POST)],
)
async def put_mapping(
    service: CashDep, partner_id: PartnerId, body: CsvMapping, actor: Actor
) -> dict[str, Any]:
    mapping = body.checked()
    async with service.engine.begin() as conn:
        await sql.save(conn, partner_id, mapping, service.clock.now(), actor)
    return {"partner_id": partner_id, **mapping.model_dump()}


@router.get(
    "/{partner_id}/csv-mapping",
    summary="The partner's saved CSV column mapping",
    dependencies=[requires(sc.READ)],
)
async def get_mapping(service: CashDep, partner_id: PartnerId) -> dict[str, Any]:
    async with service.engine.connect() as conn:
        mapping = await sql.load(conn, partner_id)
    if mapping is None:
        raise NotFound(f"no CSV mapping saved for partner {partner_id}", field="partner_id")
    return {"partner_id": partner_id, **mapping.model_dump()}

"""Payment partners' saved CSV mappings over HTTP, and the reader an import uses.

A partner belongs to the jurisdictions of the bank accounts its money settles on (per
CASH_BANK_ACCOUNTS): its CSV mapping's ``bank_account`` and those of the files imported
as its settlements, so a bank whose camt.053 or MT940 files are imported with its name
has them without any mapping. A caller limited to some jurisdictions works with a
partner that pays into one of theirs; any other partner, and one cash knows nothing of
yet, is not found for them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from cash.adapters.formats import parse, partner_csv
from cash.adapters.http import scopes as sc
from cash.adapters.http.deps import Actor, Caller, CashDep
from cash.adapters.postgres import partners as sql
from cash.application.importing import Parse
from cash.application.scope import sees
from cash.bootstrap import Cash
from cash.domain.errors import InvalidMapping, InvalidStatement, NotFound, OutsideJurisdiction
from cash.domain.partners import CsvMapping
from servicekit.auth import Principal, requires

router = APIRouter(prefix="/v1/partners", tags=["partners"])

PartnerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]


async def _jurisdictions(service: Cash, partner_id: str) -> frozenset[str]:
    async with service.engine.connect() as conn:
        return await sql.jurisdictions(conn, partner_id)


def _sees(caller: Principal, jurisdictions: frozenset[str]) -> bool:
    """Does the partner pay into one of the caller's jurisdictions?"""
    return caller.everywhere or any(sees(caller.jurisdictions, j) for j in jurisdictions)


async def _saved(
    service: Cash, partner_id: str, caller: Principal
) -> tuple[CsvMapping, str | None] | None:
    """The partner's saved mapping and its jurisdiction; as none to a caller the partner
    pays nothing of theirs into."""
    async with service.engine.connect() as conn:
        saved = await sql.load(conn, partner_id)
        if saved is None or caller.everywhere:
            return saved
        paid_into = await sql.jurisdictions(conn, partner_id)
    return saved if _sees(caller, paid_into) else None


async def not_elsewhere(service: Cash, partner_id: str, caller: Principal, field: str) -> None:
    """404 (naming ``field``) for a partner known to pay only into other jurisdictions than
    the caller's; one nothing is known about yet passes."""
    if caller.everywhere:
        return
    paid_into = await _jurisdictions(service, partner_id)
    if paid_into and not _sees(caller, paid_into):
        raise NotFound(f"no partner {partner_id} of yours", field=field)


async def reader(service: Cash, fmt: str | None, partner: str | None, caller: Principal) -> Parse:
    """How to read an import: a partner's CSV mapping, or the statement formats. A partner
    of another jurisdiction than the caller's is not found."""
    if fmt != "csv":
        if partner:
            await not_elsewhere(service, partner, caller, "partner")
        return lambda raw, fid: parse(raw, fid, fmt)
    if not partner:
        raise InvalidStatement("a CSV import names its partner (partner=...)")
    saved = await _saved(service, partner, caller)
    if saved is None:
        raise NotFound(f"no CSV mapping saved for partner {partner}", field="partner")
    mapping = saved[0]
    return lambda raw, fid: ("csv", partner_csv.parse(raw, fid, mapping))


async def visible_partner(partner_id: PartnerId, caller: Caller, service: CashDep) -> str:
    """The path's partner, for a caller of every jurisdiction or of the partner's (else
    404); checked before the body is read."""
    if not _sees(caller, await _jurisdictions(service, partner_id)):
        raise NotFound(f"no partner {partner_id} of yours", field="partner_id")
    return partner_id


async def _not_elsewhere(partner_id: PartnerId, caller: Caller, service: CashDep) -> str:
    """The path's partner, unless it is another jurisdiction's (404): a new one may be set
    up by anyone."""
    await not_elsewhere(service, partner_id, caller, "partner_id")
    return partner_id


VisiblePartner = Annotated[str, Depends(visible_partner)]


@router.put(
    "/{partner_id}/csv-mapping",
    summary="Save the partner's CSV column mapping",
    description="The partner belongs to the jurisdiction of its `bank_account` "
    "(CASH_BANK_ACCOUNTS): an account not configured is refused with 422, one of another "
    "jurisdiction than the caller's with 403.",
    dependencies=[requires(sc.POST)],
)
async def put_mapping(
    service: CashDep,
    partner_id: Annotated[str, Depends(_not_elsewhere)],
    body: CsvMapping,
    actor: Actor,
    caller: Caller,
) -> dict[str, Any]:
    mapping = body.checked()
    jurisdiction = service.app.bank_accounts.jurisdiction_of(mapping.bank_account)
    if jurisdiction is None:
        raise InvalidMapping(
            f"the bank account {mapping.bank_account} is not configured (CASH_BANK_ACCOUNTS)",
            field="bank_account",
        )
    if not caller.sees(jurisdiction):
        raise OutsideJurisdiction(
            f"the bank account {mapping.bank_account} is {jurisdiction}'s, outside the "
            "caller's jurisdictions",
            field="bank_account",
        )
    async with service.engine.begin() as conn:
        await sql.save(conn, partner_id, mapping, service.clock.now(), actor, jurisdiction)
    return {"partner_id": partner_id, "jurisdiction": jurisdiction, **mapping.model_dump()}


@router.get(
    "/{partner_id}/csv-mapping",
    summary="The partner's saved CSV column mapping",
    dependencies=[requires(sc.READ)],
)
async def get_mapping(service: CashDep, partner_id: PartnerId, caller: Caller) -> dict[str, Any]:
    saved = await _saved(service, partner_id, caller)
    if saved is None:
        raise NotFound(f"no CSV mapping saved for partner {partner_id}", field="partner_id")
    mapping, jurisdiction = saved
    return {"partner_id": partner_id, "jurisdiction": jurisdiction, **mapping.model_dump()}

"""Imports and the review queue over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cash.adapters.http import partners
from cash.adapters.http import scopes as sc
from cash.adapters.http.deps import (
    Actor,
    Caller,
    CashDep,
    VisibleImport,
    VisibleLine,
    visible_import,
)
from cash.adapters.http.views import import_view, line_view
from cash.adapters.postgres.store import PostgresStore
from cash.application.importing import import_file
from cash.application.ports import ImportRecord
from cash.application.review import Part, match_by_hand, refund
from cash.application.scope import sees
from cash.bootstrap import Cash
from cash.domain.errors import NotFound
from cash.domain.matching import Share
from cash.domain.money import minor_units
from servicekit.auth import requires

router = APIRouter(prefix="/v1", tags=["cash"])

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
Money = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,15}(\.[0-9]{1,6})?$")]
STATUSES = "^(new|posting|matched|review|refunded|returned|return|ignored)$"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ShareBody(Body):
    invoice_id: Id
    amount: Money


class PartBody(Body):
    account_id: Id
    amount: Money | None = Field(None, description="required when the line is split")
    allocations: Annotated[list[ShareBody], Field(max_length=200)] = []
    write_off_gap: bool = False
    auto_allocate: bool = Field(
        False,
        description="no allocations: the ledger allocates the part in the allocation order of "
        "the account's jurisdiction and segment (CASH_ALLOCATION_ORDERS)",
    )
    policy_id: Id | None = Field(
        None, description="with auto_allocate: this policy's items first (by_policy)"
    )


class MatchBody(Body):
    parts: Annotated[list[PartBody], Field(min_length=1, max_length=20)]


class RefundBody(Body):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


async def _import_answer(service: Cash, rec: ImportRecord) -> dict[str, Any]:
    async with service.engine.connect() as conn:
        return import_view(rec, await PostgresStore(conn).counts(rec.file_id))


@router.post(
    "/imports",
    status_code=201,
    summary="Import a statement (camt.053, camt.054, MT940, partner CSV), match and post it",
    description="The file is the request body. Its SHA-256 is the import id: the same file "
    "again answers the first import (`Idempotent-Replayed: true`) and changes nothing. "
    "A file that cannot be read is refused with 422 naming the line; nothing is kept. Each "
    "line takes the jurisdiction of its bank account (CASH_BANK_ACCOUNTS): a file for an "
    "account not configured is refused with 422 `unknown-bank-account`, one for an account of "
    "a jurisdiction the caller does not work for with 403 `outside-jurisdiction`.",
    openapi_extra={
        "requestBody": {"content": {"application/xml": {}, "text/plain": {}}, "required": True}
    },
    dependencies=[requires(sc.POST)],
)
async def post_import(
    request: Request,
    service: CashDep,
    actor: Actor,
    caller: Caller,
    format: Annotated[str | None, Query(pattern="^(camt\\.053|camt\\.054|mt940|csv)$")] = None,
    partner: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=64,
            pattern=r"^[A-Za-z0-9._:\-]+$",
            description="the payment partner whose settlement file it is (a CSV is read with "
            "its saved mapping); its lines are reconciled against what it was expected to settle",
        ),
    ] = None,
    filename: Annotated[str, Query(max_length=200)] = "statement",
    process: Annotated[bool, Query(description="match and post now")] = True,
) -> JSONResponse:
    raw = await request.body()
    reader = await partners.reader(service, format, partner, caller)
    done = await import_file(
        service.app.uow,
        raw,
        filename=filename,
        actor=actor,
        clock=service.clock,
        parse=reader,
        bank_accounts=service.app.bank_accounts,
        partner=partner,
        scope=caller.jurisdictions,
    )
    retries = service.retries()
    if process:
        await service.app.process(file_id=done.record.file_id, retries=retries)
    body = await _import_answer(service, await visible_import(done.record.file_id, caller, service))
    body["retries"] = retries.as_dict()
    headers = {"Idempotent-Replayed": "true"} if done.replayed else {}
    return JSONResponse(body, status_code=201, headers=headers)


@router.get(
    "/imports",
    summary="Imported files, newest first (those of the caller's jurisdictions)",
    dependencies=[requires(sc.READ)],
)
async def list_imports(service: CashDep, caller: Caller) -> dict[str, Any]:
    async with service.engine.connect() as conn:
        store = PostgresStore(conn)
        found = await store.imports(scope=caller.jurisdictions)
        return {"imports": [import_view(r, await store.counts(r.file_id)) for r in found]}


@router.get(
    "/imports/{file_id}",
    summary="One import with its lines' statuses",
    dependencies=[requires(sc.READ)],
)
async def get_import(service: CashDep, found: VisibleImport) -> dict[str, Any]:
    return await _import_answer(service, found)


@router.get(
    "/imports/{file_id}/raw",
    summary="The file exactly as it was imported",
    dependencies=[requires(sc.READ)],
)
async def get_raw(service: CashDep, found: VisibleImport) -> Response:
    async with service.engine.connect() as conn:
        raw = await PostgresStore(conn).raw(found.file_id)
    if raw is None:
        raise NotFound(f"no import {found.file_id}", field="file_id")
    return Response(raw, media_type="application/octet-stream")


@router.post(
    "/process",
    summary="Match and post every line still waiting (after an outage)",
    description="Those of the caller's jurisdictions.",
    dependencies=[requires(sc.POST)],
)
async def process_pending(service: CashDep, caller: Caller) -> dict[str, Any]:
    retries = service.retries()
    outcomes = await service.app.process(scope=caller.jurisdictions, retries=retries)
    return {"outcomes": dict(outcomes), "retries": retries.as_dict()}


@router.get(
    "/lines",
    summary="Statement lines by status (status=review: the review queue)",
    description="Those of the caller's jurisdictions (their bank accounts').",
    dependencies=[requires(sc.READ)],
)
async def list_lines(
    service: CashDep,
    caller: Caller,
    status: Annotated[str | None, Query(pattern=STATUSES)] = None,
    file_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{64}$")] = None,
    after: Annotated[str, Query(max_length=64)] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    async with service.engine.connect() as conn:
        store = PostgresStore(conn)
        found = await store.lines(
            file_id=file_id, status=status, limit=limit, after=after, scope=caller.jurisdictions
        )
    return {
        "lines": [line_view(r) for r in found],
        "next_after": found[-1].line.line_id if len(found) == limit else None,
    }


@router.get(
    "/lines/{line_id}",
    summary="One statement line: match, postings, suggestions",
    dependencies=[requires(sc.READ)],
)
async def get_line(service: CashDep, line_id: VisibleLine, caller: Caller) -> dict[str, Any]:
    async with service.engine.connect() as conn:
        rec = await PostgresStore(conn).line(line_id)
    if rec is None or not sees(caller.jurisdictions, rec.jurisdiction):
        raise NotFound(f"no statement line {line_id}", field="line_id")
    return line_view(rec)


@router.post(
    "/lines/{line_id}/match",
    summary="Match a line waiting for review by hand (several parts: split over accounts)",
    dependencies=[requires(sc.POST)],
)
async def match_line(
    service: CashDep, line_id: VisibleLine, body: MatchBody, actor: Actor, caller: Caller
) -> dict[str, Any]:
    current = await get_line(service, line_id, caller)
    ccy = current["currency"]
    parts = []
    for i, p in enumerate(body.parts):
        amount = minor_units(p.amount, ccy, field=f"parts[{i}].amount") if p.amount else None
        shares = tuple(
            Share(
                a.invoice_id,
                minor_units(a.amount, ccy, field=f"parts[{i}].allocations[{j}].amount"),
            )
            for j, a in enumerate(p.allocations)
        )
        parts.append(
            Part(p.account_id, shares, amount, p.write_off_gap, p.auto_allocate, p.policy_id)
        )
    await match_by_hand(service.app, line_id, parts, actor, caller.jurisdictions)
    return await get_line(service, line_id, caller)


@router.post(
    "/lines/{line_id}/refund",
    summary="Send a receipt in review back to the payer",
    dependencies=[requires(sc.POST)],
)
async def refund_line(
    service: CashDep, line_id: VisibleLine, body: RefundBody, actor: Actor, caller: Caller
) -> dict[str, Any]:
    await refund(service.app, line_id, body.reason, actor, caller.jurisdictions)
    return await get_line(service, line_id, caller)

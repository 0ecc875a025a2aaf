"""Auto-debit over HTTP: mandates, collection runs and their files, returned debits.

A mandate and its debits are the jurisdiction's of their account. A collection run spans
every jurisdiction (one run per date, one pain.008 per creditor): starting one and reading
its files needs a caller of every jurisdiction; a caller limited to some sees the runs
that debited their accounts, with only their debits in the summary and the lists, and may
record a return of one of their debits."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cash.adapters.http import scopes as sc
from cash.adapters.http.deps import Actor, Caller, CashDep, everywhere, hide_elsewhere
from cash.adapters.postgres.debits import PostgresDebits
from cash.application.debit_ports import ItemRecord, MandateChange, RunRecord
from cash.application.mandates import Outcome
from cash.bootstrap import Cash
from cash.domain.errors import NotFound
from cash.domain.mandates import Details, Mandate
from cash.domain.money import decimal_string
from servicekit.auth import Principal, requires
from servicekit.types import Day

mandates = APIRouter(prefix="/v1/mandates", tags=["mandates"])
runs = APIRouter(tags=["collection runs"])

_ID = r"^[A-Za-z0-9:.\-]+$"
MandateId = Annotated[str, Path(min_length=1, max_length=35, pattern=_ID)]
RunId = Annotated[str, Path(pattern=r"^DD-[0-9]{8}$")]
EndToEndId = Annotated[str, Path(min_length=1, max_length=35, pattern=_ID)]
FileName = Annotated[str, Path(max_length=120, pattern=r"^[A-Za-z0-9._:\-]+$")]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=70)]
Text34 = Annotated[str, StringConstraints(min_length=1, max_length=34)]
Bic = Annotated[str, StringConstraints(min_length=8, max_length=11)]
Partner = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=_ID)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MandateBody(Body):
    mandate_id: Annotated[str, StringConstraints(min_length=1, max_length=35, pattern=_ID)] = Field(
        description="the mandate reference (pain.008 MndtId)"
    )
    account_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    signed_on: Day
    debtor_name: Name
    iban: Text34 | None = Field(None, description="required for an EUR (SEPA) account")
    bic: Bic | None = None
    partner: Partner | None = Field(
        None, description="the payment partner that collects it (any currency but EUR)"
    )
    bank_account: Text34 | None = Field(None, description="the debtor's account at the partner")
    reason: Annotated[str, StringConstraints(max_length=500)] = "new mandate"


class AmendBody(Body):
    """Only the fields given change (``null`` clears an optional one)."""

    debtor_name: Name | None = None
    iban: Text34 | None = None
    bic: Bic | None = None
    partner: Partner | None = None
    bank_account: Text34 | None = None
    reason: Reason


class CancelBody(Body):
    reason: Reason


class RunBody(Body):
    collection_date: Day = Field(description="the day the banks debit; one run per date")


class ReturnBody(Body):
    reason_code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{4}$")] = Field(
        description="ISO 20022 return reason, e.g. AM04"
    )
    returned_on: Day


def mandate_view(m: Mandate, history: list[MandateChange] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "mandate_id": m.mandate_id,
        "account_id": m.account_id,
        "currency": m.currency,
        "jurisdiction": m.jurisdiction,
        "scheme": m.scheme,
        "signed_on": m.signed_on.isoformat(),
        **m.details.as_dict(),
        "status": m.status,
        "version": m.version,
    }
    if history is not None:
        out["history"] = [
            {
                "version": h.version,
                "type": h.type,
                "actor": h.actor,
                "reason": h.reason,
                "recorded_at": h.recorded_at.isoformat(),
                "data": h.data,
            }
            for h in history
        ]
    return out


async def visible_mandate(mandate_id: MandateId, caller: Caller, service: CashDep) -> str:
    """The path's mandate (its account's jurisdiction)."""
    missing = NotFound(f"no mandate {mandate_id}", field="mandate_id")
    await hide_elsewhere(service, caller, lambda c: PostgresDebits(c).mandate(mandate_id), missing)
    return mandate_id


VisibleMandate = Annotated[str, Depends(visible_mandate)]


async def visible_debit(end_to_end_id: EndToEndId, caller: Caller, service: CashDep) -> str:
    """The path's debit (its mandate's jurisdiction)."""
    missing = NotFound(f"no direct debit {end_to_end_id}", field="end_to_end_id")
    await hide_elsewhere(service, caller, lambda c: PostgresDebits(c).item(end_to_end_id), missing)
    return end_to_end_id


VisibleDebit = Annotated[str, Depends(visible_debit)]


def _answer(outcome: Outcome, status: int) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    return JSONResponse(mandate_view(outcome.mandate), status_code=status, headers=headers)


@mandates.post(
    "",
    status_code=201,
    summary="Register an account's direct-debit mandate",
    description="EUR accounts: SEPA, with the debtor's IBAN (checked); other currencies: "
    "the payment partner and the debtor's account there. One active mandate per account. "
    "The same request again answers the mandate (`Idempotent-Replayed: true`); the same "
    "id with other terms is a 409.",
    dependencies=[requires(sc.MANDATES)],
)
async def register(
    service: CashDep, body: MandateBody, actor: Actor, caller: Caller
) -> JSONResponse:
    details = Details(body.debtor_name, body.iban, body.bic, body.partner, body.bank_account)
    outcome = await service.mandates.register(
        body.mandate_id,
        body.account_id,
        body.signed_on,
        details,
        actor=actor,
        reason=body.reason,
        visible=caller.sees,
    )
    return _answer(outcome, 201)


@mandates.get("", summary="Mandates, by mandate id", dependencies=[requires(sc.READ)])
async def list_mandates(
    service: CashDep,
    caller: Caller,
    account_id: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(pattern="^(active|cancelled)$")] = None,
    after: Annotated[str, Query(max_length=35)] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    async with service.engine.connect() as conn:
        found = await PostgresDebits(conn).mandates(
            jurisdictions=caller.jurisdictions,
            account_id=account_id,
            status=status,
            after=after,
            limit=limit,
        )
    return {
        "mandates": [mandate_view(m) for m in found],
        "next_after": found[-1].mandate_id if len(found) == limit else None,
    }


async def _visible_mandate(service: Cash, caller: Principal, mandate_id: str) -> dict[str, Any]:
    async with service.engine.connect() as conn:
        store = PostgresDebits(conn)
        found = await store.mandate(mandate_id)
        if found is None or not caller.sees(found.jurisdiction):
            raise NotFound(f"no mandate {mandate_id}", field="mandate_id")
        return mandate_view(found, await store.history(mandate_id))


@mandates.get(
    "/{mandate_id}",
    summary="One mandate with its history: every change, who made it and why",
    dependencies=[requires(sc.READ)],
)
async def get_mandate(
    service: CashDep, caller: Caller, mandate_id: VisibleMandate
) -> dict[str, Any]:
    return await _visible_mandate(service, caller, mandate_id)


@mandates.post(
    "/{mandate_id}/amendments",
    summary="Change the mandate's bank details (a new account, a new partner)",
    dependencies=[requires(sc.MANDATES)],
)
async def amend(
    service: CashDep, mandate_id: VisibleMandate, body: AmendBody, actor: Actor, caller: Caller
) -> JSONResponse:
    changes = {k: getattr(body, k) for k in body.model_fields_set if k != "reason"}
    outcome = await service.mandates.amend(
        mandate_id, changes, actor=actor, reason=body.reason, visible=caller.sees
    )
    return _answer(outcome, 200)


@mandates.post(
    "/{mandate_id}/cancellation",
    summary="Cancel the mandate (the account pays otherwise from now on)",
    dependencies=[requires(sc.MANDATES)],
)
async def cancel(
    service: CashDep, mandate_id: VisibleMandate, body: CancelBody, actor: Actor, caller: Caller
) -> JSONResponse:
    outcome = await service.mandates.cancel(
        mandate_id, actor=actor, reason=body.reason, visible=caller.sees
    )
    return _answer(outcome, 200)


def run_view(run: RunRecord, summary: list[dict[str, Any]], files: list[Any]) -> dict[str, Any]:
    return {
        "run_id": run.run_id,
        "collection_date": run.collection_date.isoformat(),
        "status": run.status,
        "requested_by": run.requested_by,
        "requested_at": run.requested_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "summary": [
            {
                "status": s["status"],
                "scheme": s["scheme"],
                "currency": s["currency"],
                "debits": s["debits"],
                "amount": decimal_string(int(s["amount"]), str(s["currency"])),
            }
            for s in summary
        ],
        "files": [
            {
                "name": f.name,
                "media_type": f.media_type,
                "debits": f.items,
                "href": f"/v1/collection-runs/{run.run_id}/files/{f.name}",
            }
            for f in files
        ],
    }


def item_view(item: ItemRecord) -> dict[str, Any]:
    d = item.debit
    return {
        "end_to_end_id": d.end_to_end_id,
        "run_id": item.run_id,
        "mandate_id": d.mandate_id,
        "account_id": d.account_id,
        "invoice_id": d.invoice_id,
        "due_date": d.due_date.isoformat(),
        "amount": decimal_string(d.amount, d.currency),
        "currency": d.currency,
        "scheme": d.scheme,
        "partner": d.details.partner,
        "status": item.status,
        "note": item.note,
        "return_code": item.return_code,
        "returned_on": item.returned_on.isoformat() if item.returned_on else None,
        "jurisdiction": item.jurisdiction,
    }


async def _view(store: PostgresDebits, run: RunRecord, caller: Principal) -> dict[str, Any]:
    """The run as the caller may see it: the summary of their debits; the files (every
    jurisdiction's) only for a caller of all. A run without a debit of theirs: 404."""
    summary = await store.summary(run.run_id, caller.jurisdictions)
    if not (caller.everywhere or summary):
        raise NotFound(f"no collection run {run.run_id}", field="run_id")
    files = await store.files(run.run_id) if caller.everywhere else []
    return run_view(run, summary, files)


async def _run_answer(service: Cash, run_id: str, caller: Principal) -> dict[str, Any]:
    async with service.engine.connect() as conn:
        store = PostgresDebits(conn)
        run = await store.run(run_id)
        if run is None:
            raise NotFound(f"no collection run {run_id}", field="run_id")
        return await _view(store, run, caller)


@runs.post(
    "/v1/collection-runs",
    status_code=201,
    summary="Collect the open, due invoices of accounts with an active mandate",
    description="Each debit is posted to the ledger as a payment (method `direct_debit`, "
    "id = its end-to-end id, reference = the run id) on the collection date, then the "
    "files are written: pain.008 for EUR, a CSV per payment partner. One run per date: "
    "the same date again finishes an interrupted run or answers the finished one "
    "(`Idempotent-Replayed: true`); an invoice is never collected twice. A run spans every "
    "jurisdiction: a caller limited to some is refused (403).",
    dependencies=[requires(sc.POST), Depends(everywhere)],
)
async def post_run(service: CashDep, body: RunBody, actor: Actor, caller: Caller) -> JSONResponse:
    outcome = await service.collections.run(body.collection_date, actor=actor)
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    answer = await _run_answer(service, outcome.run.run_id, caller)
    return JSONResponse(answer, status_code=201, headers=headers)


@runs.get(
    "/v1/collection-runs",
    summary="Collection runs, newest first",
    description="For a caller limited to some jurisdictions: the runs that debited their "
    "accounts, each with the summary of those debits and no files.",
    dependencies=[requires(sc.READ)],
)
async def list_runs(
    service: CashDep,
    caller: Caller,
    before: Annotated[str | None, Query(pattern=r"^DD-[0-9]{8}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    async with service.engine.connect() as conn:
        store = PostgresDebits(conn)
        found = await store.runs(before=before, limit=limit, scope=caller.jurisdictions)
        views = [await _view(store, r, caller) for r in found]
    return {"runs": views, "next_before": found[-1].run_id if len(found) == limit else None}


@runs.get(
    "/v1/collection-runs/{run_id}",
    summary="One run: its progress, summary and files",
    dependencies=[requires(sc.READ)],
)
async def get_run(service: CashDep, run_id: RunId, caller: Caller) -> dict[str, Any]:
    return await _run_answer(service, run_id, caller)


@runs.get(
    "/v1/collection-runs/{run_id}/debits",
    summary="The run's debits (status: planned, collected, refused, returned)",
    dependencies=[requires(sc.READ)],
)
async def list_debits(
    service: CashDep,
    run_id: RunId,
    caller: Caller,
    status: Annotated[str | None, Query(pattern="^(planned|collected|refused|returned)$")] = None,
    after: Annotated[str, Query(max_length=35)] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    await _run_answer(service, run_id, caller)
    async with service.engine.connect() as conn:
        found = await PostgresDebits(conn).items(
            run_id, status=status, after=after, limit=limit, scope=caller.jurisdictions
        )
    return {
        "debits": [item_view(i) for i in found],
        "next_after": found[-1].debit.end_to_end_id if len(found) == limit else None,
    }


@runs.get(
    "/v1/collection-runs/{run_id}/files/{name}",
    summary="A debit file of the run, as it was written",
    description="For a caller of every jurisdiction (a file holds the debits of all).",
    dependencies=[requires(sc.READ)],
)
async def get_file(service: CashDep, run_id: RunId, name: FileName, caller: Caller) -> Response:
    await _run_answer(service, run_id, caller)
    if not caller.everywhere:
        raise NotFound(f"no file {name} of yours in collection run {run_id}", field="name")
    async with service.engine.connect() as conn:
        files = await PostgresDebits(conn).files(run_id)
    found = next((f for f in files if f.name == name), None)
    if found is None:
        raise NotFound(f"no file {name} in collection run {run_id}", field="name")
    disposition = f'attachment; filename="{found.name}"'
    return Response(
        found.content, media_type=found.media_type, headers={"Content-Disposition": disposition}
    )


@runs.post(
    "/v1/debits/{end_to_end_id}/return",
    summary="A debit the bank or partner sent back: its payment is reversed in the ledger",
    description="For returns reported outside a statement (a partner's return list); a "
    "camt.053/camt.054 return entry naming the debit's end-to-end id does the same on "
    "import. Returning it again answers the return (`Idempotent-Replayed: true`); with "
    "another reason code or date it is a 409.",
    dependencies=[requires(sc.POST)],
)
async def return_debit(
    service: CashDep, end_to_end_id: VisibleDebit, body: ReturnBody
) -> JSONResponse:
    item, replayed = await service.collections.returned(
        end_to_end_id, body.reason_code, body.returned_on
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return JSONResponse(item_view(item), headers=headers)

"""Routes of settlement: runs, statements (JSON, CSV, XLSX), payment marks, payout file."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from commission.adapters.exports.payout import payout_csv
from commission.adapters.exports.statements import statement_csv, statement_xlsx
from commission.adapters.http import scopes as sc
from commission.adapters.http import views
from commission.adapters.http.deps import (
    Actor,
    CommissionDep,
    PeriodPath,
    VisibleBroker,
    everywhere,
)
from commission.adapters.http.schemas import PaidIn, SettlementIn
from commission.application import settlement as app
from commission.application import statements
from commission.domain.money import format_minor
from servicekit.auth import Principal, requires
from servicekit.exports import attachment

router = APIRouter(prefix="/v1", tags=["settlement"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _summary(period: str, rows: list[Any]) -> dict[str, Any]:
    return {
        "period": period,
        "statements": [
            {
                "broker_id": r.broker_id,
                **{k: v for k, v in views.statement_section(r, []).items() if k != "entries"},
            }
            for r in rows
        ],
    }


@router.post(
    "/settlements",
    status_code=201,
    summary="Settle a period (idempotent)",
    description="Only a period that has ended (by the service's clock) is settled; a later "
    "one is refused with 422 `period-not-ended`. The service first waits until its "
    "consumer has processed the ledger's feed up to where it stood at the request (at most "
    "`COMMISSION_SETTLE_CATCH_UP_SECONDS`); still behind, it answers 503 `consumer-behind` "
    "with `Retry-After` and writes nothing. A "
    "replay answers 201 with `Idempotent-Replayed: true`.",
    responses={503: {"description": "Behind the ledger; retry later"}},
)
async def settle(
    principal: Annotated[Principal, requires(sc.SETTLE)],
    body: SettlementIn,
    service: CommissionDep,
) -> JSONResponse:
    everywhere(principal, "a settlement")
    now = service.clock.now()
    app.settleable(body.period, now)  # refused before waiting for the consumer
    await app.caught_up(service.consumer, service.settings.settle_catch_up_seconds)
    rows, replayed = await statements.settle_period(
        service.uow, body.period, now, service.settle_retries()
    )
    return JSONResponse(
        _summary(body.period, rows),
        status_code=201,  # a replay answers as the first run did, marked by the header
        headers={"Idempotent-Replayed": "true"} if replayed else {},
    )


@router.get("/settlements/{period}", summary="The statements of a settled period")
async def settlement(
    principal: Annotated[Principal, requires(sc.READ)], period: PeriodPath, service: CommissionDep
) -> dict[str, Any]:
    rows = await statements.settled(service.uow, period, _sees(principal))
    return _summary(period, rows)


def _sees(principal: Principal) -> statements.Sees:
    return None if principal.everywhere else principal.sees


def _document(st: statements.BrokerStatement, broker_id: str, period: str) -> dict[str, Any]:
    return {
        "broker_id": broker_id,
        "name": st.broker.name,
        "period": period,
        "statements": [views.statement_section(r, entries) for r, entries in st.sections],
    }


@router.get(
    "/brokers/{broker_id}/statements/{period}",
    summary="A broker's statement",
    responses={200: {"content": {"application/json": {}, "text/csv": {}, XLSX: {}}}},
    dependencies=[requires(sc.READ)],
)
async def statement(
    broker_id: VisibleBroker,
    period: PeriodPath,
    service: CommissionDep,
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
) -> Response:
    doc = _document(
        await statements.broker_statement(service.uow, broker_id, period), broker_id, period
    )
    name = f"commission-{broker_id}-{period}"
    if format == "csv":
        return attachment(statement_csv(doc), f"{name}.csv", "text/csv; charset=utf-8")
    if format == "xlsx":
        return attachment(statement_xlsx(doc), f"{name}.xlsx", XLSX)
    return JSONResponse(doc)


@router.post(
    "/brokers/{broker_id}/statements/{period}/paid",
    summary="Mark a statement paid",
    dependencies=[requires(sc.SETTLE)],
)
async def paid(
    broker_id: VisibleBroker, period: PeriodPath, body: PaidIn, service: CommissionDep, actor: Actor
) -> dict[str, Any]:
    st = await statements.pay_statement(
        service.uow, broker_id, period, body.reference, body.paid_on, actor
    )
    return _document(st, broker_id, period)


@router.get(
    "/settlements/{period}/payout-file",
    summary="Amounts to pay per bank account (CSV)",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    response_class=Response,
)
async def payout_file(
    principal: Annotated[Principal, requires(sc.PAYOUT)], period: PeriodPath, service: CommissionDep
) -> Response:
    out = [
        {
            "statement_id": p.statement.statement_id,
            "broker_id": p.statement.broker_id,
            "broker_name": p.broker_name,
            **p.bank.details.as_dict(),
            "currency": p.statement.currency,
            "amount": format_minor(app.net(p.statement), p.statement.currency),
            "reference": p.statement.statement_id,
        }
        for p in await statements.payouts(service.uow, period, _sees(principal))
    ]
    return attachment(payout_csv(out), f"payout-{period}.csv", "text/csv; charset=utf-8")

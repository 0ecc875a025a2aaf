"""Routes of settlement: runs, statements (JSON, CSV, XLSX), payment marks, payout file."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncConnection

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
from commission.adapters.postgres.brokers import PostgresRegistry
from commission.adapters.postgres.settlements import PostgresSettlements
from commission.application import registry
from commission.application import settlement as app
from commission.domain.errors import NotFound
from commission.domain.money import format_minor
from servicekit.auth import Principal, requires

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
    "one is refused with 422 `period-not-ended`. The service first catches up with the "
    "ledger (waits up to `COMMISSION_SETTLE_CATCH_UP_SECONDS` for its consumer); still "
    "behind, it answers 503 `consumer-behind` with `Retry-After` and writes nothing. A "
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
    async with service.engine.begin() as conn:
        rows, replayed = await app.settle(PostgresSettlements(conn), body.period, now)
    return JSONResponse(
        _summary(body.period, rows),
        status_code=201,  # a replay answers as the first run did, marked by the header
        headers={"Idempotent-Replayed": "true"} if replayed else {},
    )


@router.get("/settlements/{period}", summary="The statements of a settled period")
async def settlement(
    principal: Annotated[Principal, requires(sc.READ)], period: PeriodPath, service: CommissionDep
) -> dict[str, Any]:
    async with service.engine.connect() as conn:
        store = PostgresSettlements(conn)
        if not await store.run_exists(period):
            raise NotFound(f"period {period} is not settled", field="period")
        rows = await _visible(conn, principal, await store.statements(period))
        return _summary(period, rows)


async def _visible(conn: AsyncConnection, principal: Principal, rows: list[Any]) -> list[Any]:
    """The statements of brokers in the caller's jurisdictions."""
    if principal.everywhere:
        return rows
    reg = PostgresRegistry(conn)
    kept = []
    for r in rows:
        found = await reg.broker(r.broker_id)
        if found is not None and principal.sees(found[0].jurisdiction):
            kept.append(r)
    return kept


async def _require_broker(conn: AsyncConnection, broker_id: str) -> Any:
    found = await PostgresRegistry(conn).broker(broker_id)
    if found is None:
        raise NotFound(f"broker {broker_id} does not exist", field="broker_id")
    return found


async def statement_document(conn: AsyncConnection, broker_id: str, period: str) -> dict[str, Any]:
    found = await _require_broker(conn, broker_id)
    store = PostgresSettlements(conn)
    rows = await store.statements(period, broker_id)
    if not rows:
        raise NotFound(f"no statement for broker {broker_id} in {period}", field="period")
    return {
        "broker_id": broker_id,
        "name": found[0].name,
        "period": period,
        "statements": [
            views.statement_section(r, await store.statement_entries(r.statement_id)) for r in rows
        ],
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
    async with service.engine.connect() as conn:
        doc = await statement_document(conn, broker_id, period)
    name = f"commission-{broker_id}-{period}"
    if format == "csv":
        return Response(
            statement_csv(doc),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "xlsx":
        return Response(
            statement_xlsx(doc),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return JSONResponse(doc)


@router.post(
    "/brokers/{broker_id}/statements/{period}/paid",
    summary="Mark a statement paid",
    dependencies=[requires(sc.SETTLE)],
)
async def paid(
    broker_id: VisibleBroker, period: PeriodPath, body: PaidIn, service: CommissionDep, actor: Actor
) -> dict[str, Any]:
    async with service.engine.begin() as conn:
        await _require_broker(conn, broker_id)
        await app.mark_paid(
            PostgresSettlements(conn), broker_id, period, body.reference, body.paid_on, actor
        )
        return await statement_document(conn, broker_id, period)


@router.get(
    "/settlements/{period}/payout-file",
    summary="Amounts to pay per bank account (CSV)",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    response_class=Response,
)
async def payout_file(
    principal: Annotated[Principal, requires(sc.PAYOUT)], period: PeriodPath, service: CommissionDep
) -> Response:
    async with service.engine.connect() as conn:
        store, reg = PostgresSettlements(conn), PostgresRegistry(conn)
        if not await store.run_exists(period):
            raise NotFound(f"period {period} is not settled", field="period")
        out = []
        for r in await _visible(conn, principal, await store.statements(period)):
            if app.net(r) <= 0 or r.paid_reference is not None:
                continue
            found = await reg.broker(r.broker_id)
            bank = registry.active_details(await reg.changes(r.broker_id))
            if bank is None:
                continue  # no approved details yet: nothing is paid on one person's word
            out.append(
                {
                    "statement_id": r.statement_id,
                    "broker_id": r.broker_id,
                    "broker_name": found[0].name if found else "",
                    **bank.details.as_dict(),
                    "currency": r.currency,
                    "amount": format_minor(app.net(r), r.currency),
                    "reference": r.statement_id,
                }
            )
    return Response(
        payout_csv(out),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="payout-{period}.csv"'},
    )

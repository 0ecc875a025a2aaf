"""Portfolio pages: aging with its chart, the collectors' worklist, broker statements."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from console.adapters.web.deps import ConsoleDep, Who, attachment, page
from console.application import pages
from servicekit.types import Day

router = APIRouter(tags=["reports"])
Code = Annotated[str, Query(max_length=8)]


def last_month(today: date) -> str:
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


@router.get("/aging", summary="Aging by days past due, with a chart per currency")
async def aging(
    request: Request,
    console: ConsoleDep,
    who: Who,
    as_of: Day | None = None,
    currency: Code = "",
    jurisdiction: Code = "",
) -> Response:
    view = await pages.aging_page(
        console.ledger,
        who,
        as_of=as_of,
        currency=currency.upper(),
        jurisdiction=jurisdiction.upper(),
    )
    return page(request, "aging.html", who, view=view)


@router.get("/aging/export", summary="Download the aging report for Excel")
async def aging_export(
    console: ConsoleDep,
    who: Who,
    as_of: Day | None = None,
    currency: Code = "",
    jurisdiction: Code = "",
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "xlsx",
) -> Response:
    pages.check_filters(currency.upper(), jurisdiction.upper())
    doc = await console.ledger.aging_file(
        who, as_of=as_of, currency=currency.upper(), jurisdiction=jurisdiction.upper(), fmt=format
    )
    return attachment(doc)


@router.get("/worklist", summary="Overdue accounts to call, most overdue first")
async def worklist(
    request: Request,
    console: ConsoleDep,
    who: Who,
    jurisdiction: Code = "",
    min_level: Annotated[int, Query(ge=0, le=20)] = 0,
    page_number: Annotated[int, Query(alias="page", ge=1)] = 1,
) -> Response:
    doc = await console.dunning.worklist(
        who, jurisdiction=jurisdiction, min_level=min_level, page=page_number
    )
    return page(
        request, "worklist.html", who, doc=doc, jurisdiction=jurisdiction, min_level=min_level
    )


@router.get("/brokers", summary="Find a broker's commission statement")
async def brokers(
    request: Request,
    console: ConsoleDep,
    who: Who,
    broker_id: Annotated[str, Query(max_length=64)] = "",
    period: Annotated[str, Query(max_length=7)] = "",
) -> Response:
    chosen = period or last_month(console.today())
    if broker_id.strip():
        pages.check_id(broker_id.strip(), "broker_id")
        pages.check_period(chosen)
        return RedirectResponse(f"/brokers/{broker_id.strip()}?period={chosen}", status_code=303)
    return page(request, "brokers.html", who, period=chosen)


@router.get("/brokers/{broker_id}", summary="A broker's accruals and statement of a month")
async def broker(
    request: Request,
    broker_id: str,
    console: ConsoleDep,
    who: Who,
    period: Annotated[str, Query(max_length=7)] = "",
) -> Response:
    chosen = period or last_month(console.today())
    view = await pages.broker_page(console.commission, broker_id, chosen, who)
    return page(request, "broker.html", who, view=view)


@router.get("/brokers/{broker_id}/statement", summary="Download a broker's statement")
async def broker_statement(
    broker_id: str,
    console: ConsoleDep,
    who: Who,
    period: Annotated[str, Query(max_length=7)],
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
) -> Response:
    pages.check_id(broker_id, "broker_id")
    pages.check_period(period)
    doc = await console.commission.statement_file(broker_id, period, who, fmt=format)
    return attachment(doc)

"""Payment-partner reconciliation over HTTP: the transactions expected from each partner,
and the report of expected against settled (JSON, CSV, XLSX)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cash.adapters.http import scopes as sc
from cash.adapters.http.deps import Actor, Caller, CashDep
from cash.adapters.http.partners import VisiblePartner, not_elsewhere
from cash.adapters.postgres import reconciliation as sql
from cash.domain.errors import InvalidExpected, NotFound, UnknownCurrency
from cash.domain.money import decimal_string, minor_units, places
from cash.domain.reconciliation import Day, Difference, Expected, reconcile, to_add
from servicekit.auth import requires
from servicekit.exports import Column, Report, download, format_param
from servicekit.types import Day as BusinessDay

router = APIRouter(tags=["reconciliation"])

Reference = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")
]
MAX_PERIOD_DAYS = 366


class ExpectedBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: Reference = Field(description="the partner's transaction id, as its files name it")
    amount: Annotated[str, StringConstraints(pattern=r"^-?[0-9]{1,15}(\.[0-9]{1,6})?$")] = Field(
        description="what the customer paid through the partner (gross); negative: a refund"
    )
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    expected_on: BusinessDay = Field(description="the day the partner should settle it")
    account_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    description: Annotated[str, StringConstraints(max_length=500)] = ""


class ExpectedUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transactions: Annotated[list[ExpectedBody], Field(min_length=1, max_length=10_000)]


def _expected(partner_id: str, n: int, t: ExpectedBody) -> Expected:
    field = f"transactions[{n}]"
    try:
        places(t.currency)
    except UnknownCurrency as e:
        raise UnknownCurrency(e.detail, field=f"{field}.currency") from None
    negative = t.amount.startswith("-")
    amount = minor_units(t.amount.lstrip("-"), t.currency, field=f"{field}.amount")
    return Expected(
        partner_id,
        t.reference,
        -amount if negative else amount,
        t.currency,
        t.expected_on,
        t.account_id or None,
        t.description,
    )


@router.post(
    "/v1/partners/{partner_id}/expected",
    summary="Add the transactions a partner is expected to settle",
    description="From the partner's transaction report (or the company's payment-page log): "
    "each transaction by the partner's reference, amount (gross) and expected settlement "
    "date. The same transaction again changes nothing; a reference already expected with "
    "other figures is a 409 and nothing of the upload is kept.",
    responses={409: {"description": "A reference is expected already with other figures"}},
    dependencies=[requires(sc.POST)],
)
async def add_expected(
    service: CashDep, partner_id: VisiblePartner, body: ExpectedUpload, actor: Actor
) -> dict[str, Any]:
    incoming = [_expected(partner_id, n, t) for n, t in enumerate(body.transactions)]
    async with service.engine.begin() as conn:
        known = await sql.existing(conn, partner_id, [e.reference for e in incoming])
        new = to_add(incoming, known)
        await sql.add(conn, new, service.clock.now(), actor)
    return {"partner_id": partner_id, "added": len(new), "unchanged": len(incoming) - len(new)}


@router.delete(
    "/v1/partners/{partner_id}/expected/{reference}",
    status_code=204,
    summary="Withdraw an expected transaction (to correct it, add it again)",
    dependencies=[requires(sc.POST)],
)
async def withdraw_expected(
    service: CashDep,
    partner_id: VisiblePartner,
    reference: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")],
) -> Response:
    async with service.engine.begin() as conn:
        if not await sql.remove(conn, partner_id, reference):
            raise NotFound(f"{partner_id} expects no {reference}", field="reference")
    return Response(status_code=204)


DAY_COLUMNS = (
    Column("partner_id", "Partner"),
    Column("settlement_date", "Settlement date", "date"),
    Column("currency", "Currency"),
    Column("expected_count", "Expected", "int"),
    Column("expected", "Expected amount", "money"),
    Column("settled_count", "Settled", "int"),
    Column("gross", "Gross", "money"),
    Column("fees", "Fees withheld", "money"),
    Column("net", "Net received", "money"),
    Column("agreed", "Agreed", "int"),
    Column("differences", "Differences", "int"),
)
DIFFERENCE_COLUMNS = (
    Column("kind", "Difference"),
    Column("partner_id", "Partner"),
    Column("reference", "Reference"),
    Column("currency", "Currency"),
    Column("expected", "Expected", "money"),
    Column("settled", "Settled (gross)", "money"),
    Column("difference", "Settled less expected", "money"),
    Column("expected_on", "Expected on", "date"),
    Column("settled_on", "Settled on", "date"),
    Column("line_id", "Statement line"),
    Column("account_id", "Account"),
)


def _money(amount: int | None, currency: str) -> str | None:
    return None if amount is None else decimal_string(amount, currency)


def day_view(d: Day) -> dict[str, Any]:
    c = d.currency
    return {
        "partner_id": d.partner_id,
        "settlement_date": d.settlement_date.isoformat() if d.settlement_date else None,
        "currency": c,
        "expected_count": d.expected_count,
        "expected": decimal_string(d.expected, c),
        "settled_count": d.settled_count,
        "gross": decimal_string(d.gross, c),
        "fees": decimal_string(d.fees, c),
        "net": decimal_string(d.net, c),
        "agreed": d.agreed,
        "differences": d.differences,
    }


def difference_view(d: Difference) -> dict[str, Any]:
    c = d.currency
    return {
        "kind": d.kind,
        "partner_id": d.partner_id,
        "reference": d.reference,
        "currency": c,
        "expected": _money(d.expected, c),
        "settled": _money(d.settled, c),
        "difference": decimal_string(d.gap, c),
        "expected_on": d.expected_on.isoformat() if d.expected_on else None,
        "settled_on": d.settled_on.isoformat() if d.settled_on else None,
        "line_id": d.line_id,
        "account_id": d.account_id,
    }


@router.get(
    "/v1/reconciliation",
    summary="Expected against settled per payment partner and settlement date",
    description="Per partner, settlement date and currency: transactions expected and their "
    "amount, lines settled with gross, fees withheld and net, how many agreed, and every "
    "difference (not_settled, not_expected, amount_differs, other_date). `format=csv` holds "
    "one table (`table=`), `xlsx` both as sheets. A caller limited to some jurisdictions gets "
    "the settlement lines of their bank accounts and what their partners are expected to "
    "settle; another jurisdiction's `partner` is not found (404).",
    dependencies=[requires(sc.READ)],
)
async def reconciliation(
    service: CashDep,
    caller: Caller,
    fmt: Annotated[str, format_param("json", "csv", "xlsx")],
    partner: Annotated[
        str | None, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")
    ] = None,
    first: Annotated[
        BusinessDay | None,
        Query(alias="from", description="first settlement date (default: 30 days before `to`)"),
    ] = None,
    last: Annotated[
        BusinessDay | None, Query(alias="to", description="last settlement date (default today)")
    ] = None,
    table: Annotated[
        Literal["days", "differences"], Query(description="the table a CSV holds")
    ] = "days",
) -> Any:
    last = last or service.clock.now().date()
    first = first or last - timedelta(days=30)
    if first > last:
        raise InvalidExpected(f"the period ends ({last}) before it starts ({first})", field="to")
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise InvalidExpected(f"a period is at most {MAX_PERIOD_DAYS} days", field="from")
    if partner is not None:
        await not_elsewhere(service, partner, caller, "partner")
    async with service.engine.connect() as conn:
        expected = await sql.expected(conn, partner, first, last, caller.jurisdictions)
        settled = await sql.settled(conn, partner, first, last, caller.jurisdictions)
    found = reconcile(expected, settled, first, last)
    body = {
        "partner_id": partner,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "days": [day_view(d) for d in found.days],
        "totals": [day_view(d) for d in found.totals],
        "differences": [difference_view(d) for d in found.differences],
    }
    return download(fmt, _reports(body, table), _filename(partner, first, last), body)


def _filename(partner: str | None, first: date, last: date) -> str:
    return f"reconciliation-{partner or 'all'}-{first}-{last}"


def _reports(body: dict[str, Any], table: str) -> list[Report]:
    meta = [("Partner", body["partner_id"] or "all"), ("Period", f"{body['from']} to {body['to']}")]
    days = Report(
        title="Partner settlements",
        columns=DAY_COLUMNS,
        rows=body["days"],
        totals=[{**t, "settlement_date": "Total"} for t in body["totals"]],
        meta=meta,
        sheet="By settlement date",
    )
    differences = Report(
        title="Differences",
        columns=DIFFERENCE_COLUMNS,
        rows=body["differences"],
        meta=meta,
        sheet="Differences",
    )
    return [differences, days] if table == "differences" else [days, differences]

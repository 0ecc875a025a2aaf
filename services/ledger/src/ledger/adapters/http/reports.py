"""Report routes: aging (grouped, with drill-down to invoices) as JSON, CSV or XLSX."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from ledger.adapters.http import aging as ag
from ledger.adapters.http.access import Reader, jurisdictions
from ledger.adapters.http.deps import Conn, LedgerDep
from ledger.adapters.http.queries import AsOf, KnownAt
from ledger.adapters.http.schemas import CURRENCY_PATTERN, ID_PATTERN
from ledger.adapters.postgres import positions
from ledger.domain import reporting
from ledger.domain.money import format_minor
from servicekit.exports import AGING_COLUMNS, Column, Report, download, format_param

router = APIRouter(prefix="/v1/reports", tags=["reports"])

Format = Annotated[str, format_param("json", "csv", "xlsx")]
Currency = Annotated[str | None, Query(pattern=CURRENCY_PATTERN)]
Broker = Annotated[
    str | None, Query(max_length=64, pattern=ID_PATTERN, description="the account's broker")
]
GroupBy = Literal["account", "currency", "jurisdiction", "broker"]
MONEY = AGING_COLUMNS


@dataclass(frozen=True)
class Scope:
    """Which figures an aging request is about."""

    day: date
    known_at: datetime | None
    currency: str | None
    jurisdiction: str | None
    broker_id: str | None
    within: set[str] | None = None  # the jurisdictions covered: asked and the caller's

    def meta(self, **more: Any) -> list[tuple[str, str]]:
        out = [("As of", self.day.isoformat())]
        if self.known_at is not None:
            out.append(("As known at", self.known_at.isoformat()))
        filters = {
            "currency": self.currency,
            "jurisdiction": self.jurisdiction,
            "broker": self.broker_id,
            **more,
        }
        return out + [(k.replace("_", " ").capitalize(), str(v)) for k, v in filters.items() if v]

    def head(self) -> dict[str, Any]:
        return {
            "as_of": self.day.isoformat(),
            "known_at": self.known_at.isoformat() if self.known_at else None,
        }


async def scope(
    principal: Reader,
    ledger: LedgerDep,
    as_of: AsOf = None,
    known_at: KnownAt = None,
    currency: Currency = None,
    jurisdiction: str | None = None,
    broker_id: Broker = None,
) -> Scope:
    return Scope(
        as_of or ledger.clock.today(),
        known_at,
        currency,
        jurisdiction,
        broker_id,
        within=jurisdictions(principal, jurisdiction),
    )


ScopeDep = Annotated[Scope, Depends(scope)]


def _at(at: Scope) -> positions.AsOf:
    return positions.AsOf(at.day, at.known_at)


def _which(at: Scope, account_id: str | None = None) -> positions.Accounts:
    return positions.Accounts(account_id, at.currency, at.within, at.broker_id)


def _json(fmt: str, body: dict[str, Any]) -> Any:
    """A JSON answer encoded at once (plain strings and numbers: nothing for FastAPI's
    encoder to walk, which costs more than the query on a large report)."""
    return Response(orjson.dumps(body), media_type="application/json") if fmt == "json" else body


def _total_rows(totals: list[dict[str, Any]], first: str) -> list[dict[str, Any]]:
    return [{**t, first: f"Total {t['currency']}"} for t in totals]


@router.get(
    "/aging",
    summary="Aging by days past due, per account or grouped, in total per currency",
    description="`group_by` adds `groups`: one row per (group, currency). "
    "`format=csv|xlsx` (or the Accept header) downloads it; an unknown format is refused.",
)
async def aging(conn: Conn, at: ScopeDep, fmt: Format, group_by: GroupBy = "account") -> Any:
    day = at.day
    figures = await positions.aging(conn, _at(at), _which(at))
    accounts = ag.account_rows(figures)
    totals = ag.totals(figures)
    body: dict[str, Any] = {
        **at.head(),
        "buckets": list(reporting.BUCKETS),
        "group_by": group_by,
        "accounts": accounts,
        "totals": totals,
    }
    meta = at.meta()
    account_sheet = Report(
        title="Aging by account",
        columns=(
            Column("account_id", "Account"),
            Column("name", "Name"),
            Column("currency", "Currency"),
            Column("jurisdiction", "Jurisdiction"),
            Column("broker_id", "Broker"),
            *MONEY,
        ),
        rows=accounts,
        totals=_total_rows(totals, "account_id"),
        meta=meta,
        sheet="Accounts",
    )
    sheets = [account_sheet]
    if group_by != "account":
        groups = ag.group_rows(ag.grouped(figures, ag.GROUPS[group_by]), group_by)
        body["groups"] = groups
        sheets.insert(
            0,
            Report(
                title=f"Aging by {group_by}",
                columns=(
                    Column("key", group_by.capitalize()),
                    Column("currency", "Currency"),
                    Column("accounts", "Accounts", "int"),
                    *MONEY,
                ),
                rows=groups,
                totals=_total_rows(totals, "key"),
                meta=meta,
                sheet=f"By {group_by}",
            ),
        )
    return download(fmt, sheets, f"aging-{day.isoformat()}-by-{group_by}", _json(fmt, body))


@router.get(
    "/aging/invoices",
    summary="Drill-down: the open items behind an aging figure, with their bucket",
)
async def aging_invoices(
    conn: Conn,
    at: ScopeDep,
    fmt: Format,
    account_id: Annotated[str | None, Query(max_length=64, pattern=ID_PATTERN)] = None,
    bucket: Literal["current", "days_1_30", "days_31_60", "days_61_90", "days_over_90"]
    | None = None,
    disputed: bool | None = None,
) -> Any:
    day = at.day
    items = await positions.open_items_on(
        conn, _at(at), _which(at, account_id), bucket=bucket, disputed=disputed
    )
    rows = []
    sums: dict[str, int] = {}
    for i in items:
        cur = i["currency"]
        sums[cur] = sums.get(cur, 0) + i["open"]
        rows.append(
            {
                "account_id": i["account_id"],
                "name": i["name"],
                "currency": cur,
                "jurisdiction": i["jurisdiction"],
                "broker_id": i["broker_id"],
                "invoice_id": i["item_id"],
                "due_date": i["due_date"].isoformat(),
                "days_past_due": max(0, (day - i["due_date"]).days),
                "bucket": i["bucket"],
                "open_amount": format_minor(i["open"], cur),
                "disputed": i["disputed"],
            }
        )
    totals = [
        {
            "currency": cur,
            "items": sum(1 for r in rows if r["currency"] == cur),
            "open_amount": format_minor(v, cur),
        }
        for cur, v in sorted(sums.items())
    ]
    body = {
        **at.head(),
        "invoices": rows,
        "totals": totals,
    }
    report = Report(
        title="Aging: open items",
        columns=(
            Column("account_id", "Account"),
            Column("name", "Name"),
            Column("currency", "Currency"),
            Column("invoice_id", "Invoice"),
            Column("due_date", "Due", "date"),
            Column("days_past_due", "Days past due", "int"),
            Column("bucket", "Bucket"),
            Column("open_amount", "Open", "money"),
            Column("disputed", "Disputed"),
        ),
        rows=rows,
        totals=_total_rows(totals, "account_id"),
        meta=at.meta(account=account_id, bucket=bucket),
        sheet="Open items",
    )
    return download(fmt, report, f"aging-items-{day.isoformat()}", _json(fmt, body))

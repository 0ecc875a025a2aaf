"""Monthly reports: collection KPIs (DSO, CEI) and the management pack, as JSON, CSV or
XLSX. Definitions: :mod:`ledger.domain.reporting`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from ledger.adapters.http.access import jurisdictions
from ledger.adapters.http.deps import Conn, LedgerDep
from ledger.adapters.http.schemas import CURRENCY_PATTERN
from ledger.adapters.http.scopes import REPORTS
from ledger.adapters.postgres import kpis as sql
from ledger.domain import errors as err
from ledger.domain import reporting as rp
from ledger.domain.money import format_minor
from servicekit.auth import Principal, requires
from servicekit.exports import Column, Report, download, format_param

router = APIRouter(prefix="/v1/reports", tags=["reports"])

Format = Annotated[str, format_param("json", "csv", "xlsx")]
MONTH = r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])$"  # the years business dates may have
MAX_MONTHS = 60


@dataclass(frozen=True)
class Period:
    months: list[rp.Month]
    selection: sql.Selection
    currency: str | None
    jurisdiction: str | None

    @property
    def start(self) -> rp.Month:
        return self.months[0]

    @property
    def end(self) -> rp.Month:
        return self.months[-1]

    def meta(self) -> list[tuple[str, str]]:
        out = [("From", str(self.start)), ("To", str(self.end))]
        for label, value in (("Currency", self.currency), ("Jurisdiction", self.jurisdiction)):
            if value:
                out.append((label, value))
        return out

    def head(self) -> dict[str, Any]:
        return {"from": str(self.start), "to": str(self.end)}

    def filename(self, name: str) -> str:
        return f"{name}-{self.start}-{self.end}"


async def period(
    principal: Annotated[Principal, requires(REPORTS)],
    ledger: LedgerDep,
    start: Annotated[
        str | None, Query(alias="from", pattern=MONTH, description="first month, YYYY-MM")
    ] = None,
    end: Annotated[
        str | None, Query(alias="to", pattern=MONTH, description="last month, YYYY-MM")
    ] = None,
    currency: Annotated[str | None, Query(pattern=CURRENCY_PATTERN)] = None,
    jurisdiction: Annotated[str | None, Query(min_length=2, max_length=8)] = None,
) -> Period:
    """``from`` and ``to`` (months, default the twelve up to this one), within the caller's
    jurisdictions."""
    last = rp.Month.parse(end) if end else rp.Month.of(ledger.clock.today())
    first = rp.Month.parse(start) if start else rp.Month(last.year - 1, last.month).next()
    if first > last:
        raise err.InvalidDates(f"to {last} is before from {first}", field="to")
    if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        raise err.InvalidDates(f"at most {MAX_MONTHS} months at a time", field="from")
    within = jurisdictions(principal, jurisdiction)
    selection = sql.Selection(currency, within)
    return Period(rp.months(first, last), selection, currency, jurisdiction)


PeriodDep = Annotated[Period, Depends(period)]


@dataclass(frozen=True)
class Figures:
    """What the monthly reports show, in minor units, per (month, currency, jurisdiction)."""

    kpis: list[rp.MonthKpis]
    aged: dict[tuple[rp.Month, rp.Key], dict[str, int]]


async def figures(conn: Any, p: Period) -> Figures:
    before = p.start.previous()  # its month end is the first opening balance
    moved = rp.flows(await sql.movements(conn, p.start.first, p.end.last, p.selection))
    items = await sql.items_now(conn, before.last, p.selection)
    aged = rp.aging_at(items, [before, *p.months])
    return Figures(rp.kpis(p.months, moved, aged), aged)


def _ratio(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def kpi_row(k: rp.MonthKpis) -> dict[str, Any]:
    cur, jur = k.key
    money = {f: format_minor(v, cur) for f, v in k.flows.items()}
    return {
        "month": str(k.month),
        "currency": cur,
        "jurisdiction": jur,
        **money,
        "opening_receivables": format_minor(k.opening, cur),
        "closing_receivables": format_minor(k.closing, cur),
        "closing_current": format_minor(k.closing_current, cur),
        "dso_days": _ratio(k.dso),
        "cei_percent": _ratio(k.cei),
    }


def period_totals(p: Period, rows: list[rp.MonthKpis]) -> list[dict[str, Any]]:
    """Per currency over the whole period: flows summed, receivables at its start and end,
    DSO over the period's days and CEI over the period."""
    out = []
    for cur in sorted({k.key[0] for k in rows}):
        mine = [k for k in rows if k.key[0] == cur]
        moved = {f: sum(k.flows[f] for k in mine) for f in rp.FLOWS}
        opening = sum(k.opening for k in mine if k.month == p.start)
        closing = sum(k.closing for k in mine if k.month == p.end)
        current = sum(k.closing_current for k in mine if k.month == p.end)
        days = sum(m.days for m in p.months)
        out.append(
            {
                "currency": cur,
                **{f: format_minor(v, cur) for f, v in moved.items()},
                "opening_receivables": format_minor(opening, cur),
                "closing_receivables": format_minor(closing, cur),
                "closing_current": format_minor(current, cur),
                "dso_days": _ratio(rp.dso(closing, moved["net_billed"], days)),
                "cei_percent": _ratio(rp.cei(opening, moved["net_billed"], closing, current)),
            }
        )
    return out


def aging_rows(
    p: Period, aged: dict[tuple[rp.Month, rp.Key], dict[str, int]]
) -> list[dict[str, Any]]:
    return [
        {
            "month": str(m),
            "month_end": m.last.isoformat(),
            "currency": cur,
            "jurisdiction": jur,
            **{b: format_minor(v, cur) for b, v in amounts.items()},
        }
        for (m, (cur, jur)), amounts in sorted(aged.items())
        if m in p.months
    ]


_FLOW_TITLES = {
    "invoiced": "Invoiced",
    "adjusted": "Adjusted",
    "credited": "Credited",
    "net_billed": "Net billed",
    "collected": "Collected",
    "reversed": "Reversed",
    "net_collected": "Net collected",
    "written_off": "Written off",
    "recovered": "Recovered",
    "refunded": "Refunded",
}
_KEY_COLUMNS = (
    Column("month", "Month"),
    Column("currency", "Currency"),
    Column("jurisdiction", "Jurisdiction"),
)
FLOW_COLUMNS = (*_KEY_COLUMNS, *(Column(k, t, "money") for k, t in _FLOW_TITLES.items()))
KPI_COLUMNS = (
    *_KEY_COLUMNS,
    Column("net_billed", "Net billed", "money"),
    Column("net_collected", "Net collected", "money"),
    Column("opening_receivables", "Receivables at start", "money"),
    Column("closing_receivables", "Receivables at end", "money"),
    Column("closing_current", "Of which not yet due", "money"),
    Column("dso_days", "DSO (days)", "money"),
    Column("cei", "CEI", "percent"),
)
AGING_COLUMNS = (
    *_KEY_COLUMNS,
    Column("month_end", "Month end", "date"),
    Column("current", "Current", "money"),
    Column("days_1_30", "1-30 days", "money"),
    Column("days_31_60", "31-60 days", "money"),
    Column("days_61_90", "61-90 days", "money"),
    Column("days_over_90", "Over 90 days", "money"),
    Column("total", "Receivables", "money"),
)


def _table(rows: list[dict[str, Any]], fmt: str) -> list[dict[str, Any]]:
    """Rows for a table: CEI as a ratio in XLSX (shown as a percentage), else the figure."""
    out = []
    for r in rows:
        cei = r.get("cei_percent")
        ratio = None if cei is None else Decimal(cei) / 100
        out.append({**r, "cei": ratio if fmt == "xlsx" else cei})
    return out


def _totals(rows: list[dict[str, Any]], fmt: str) -> list[dict[str, Any]]:
    return _table([{**t, "month": f"Total {t['currency']}"} for t in rows], fmt)


NOTE = (
    "DSO = receivables at the month end / net billed in the month x days in the month; "
    "CEI = (opening + net billed - closing receivables) / (opening + net billed - closing "
    "receivables not yet due)."
)


@router.get(
    "/collections",
    summary="Collection KPIs per month: billed, collected, receivables, DSO and CEI",
    description="One row per month, currency and jurisdiction (`from`, `to` as YYYY-MM; "
    "default the twelve months up to this one), totals per currency over the period. "
    "DSO = receivables at the month end / net billed in the month x days in the month; "
    "CEI = (opening + net billed - closing receivables) / (opening + net billed - closing "
    "receivables not yet due) x 100. `format=csv|xlsx` downloads it.",
)
async def collections(conn: Conn, p: PeriodDep, fmt: Format) -> Any:
    f = await figures(conn, p)
    rows = [kpi_row(k) for k in f.kpis]
    totals = period_totals(p, f.kpis)
    body = {**p.head(), "months": rows, "totals": totals}
    report = Report(
        title="Collection KPIs",
        columns=KPI_COLUMNS,
        rows=_table(rows, fmt),
        totals=_totals(totals, fmt),
        meta=p.meta(),
        notes=(NOTE,),
        sheet="KPIs",
    )
    return download(fmt, report, p.filename("collections"), body)


Part = Literal["movements", "kpis", "aging"]


@router.get(
    "/management-pack",
    summary="Monthly management pack: movements, KPIs and the aging trend",
    description="`movements`: invoiced, adjusted, credited, collected, reversed, written "
    "off, recovered and refunded per month, currency and jurisdiction, each the month's "
    "journal movement of one ledger account by the events that make it; `kpis`: as "
    "`/v1/reports/collections`; `aging`: receivables by days past due at each month end. "
    "XLSX: a sheet per part; CSV: the part named by `part` (default movements).",
)
async def management_pack(conn: Conn, p: PeriodDep, fmt: Format, part: Part = "movements") -> Any:
    f = await figures(conn, p)
    kpis = [kpi_row(k) for k in f.kpis]
    totals = period_totals(p, f.kpis)
    aging = aging_rows(p, f.aged)
    keys = ("month", "currency", "jurisdiction", *rp.FLOWS)
    movements = [{k: r[k] for k in keys} for r in kpis]
    body = {**p.head(), "movements": movements, "kpis": kpis, "aging": aging, "totals": totals}
    sheets = {
        "movements": Report(
            title="Movements",
            columns=FLOW_COLUMNS,
            rows=movements,
            totals=_totals(totals, fmt),
            meta=p.meta(),
            sheet="Movements",
        ),
        "kpis": Report(
            title="Collection KPIs",
            columns=KPI_COLUMNS,
            rows=_table(kpis, fmt),
            totals=_totals(totals, fmt),
            meta=p.meta(),
            notes=(NOTE,),
            sheet="KPIs",
        ),
        "aging": Report(
            title="Aging trend (month ends)",
            columns=AGING_COLUMNS,
            rows=aging,
            meta=p.meta(),
            sheet="Aging trend",
        ),
    }
    chosen = [sheets[part]] if fmt == "csv" else list(sheets.values())
    return download(fmt, chosen, p.filename("management-pack"), body)

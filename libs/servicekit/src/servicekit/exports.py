"""Reports as downloads: one table model written as CSV or a formatted XLSX workbook.

A service builds a :class:`Report` from the same figures its JSON answer carries (amounts
as decimal strings) and hands it to :func:`download`. CSV keeps every value as written;
XLSX writes amounts as exact decimal numbers with as many places as the strings have,
dates as dates, a bold frozen header row with filters, and the report's totals rows in
bold under a rule. Totals are the service's own figures, never summed here, so the file
ties to the JSON answer to the cent.

Which format a request wants comes from ``format=`` or, without it, the ``Accept`` header
(:func:`format_param`); an unknown ``format`` is a 422 naming it and an ``Accept`` that
names nothing the route can produce a 406, never silently JSON.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the annotations of the
# dependency that format_param builds, and they name one of its local variables.
import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from servicekit.xlsx import workbook

Kind = Literal["text", "money", "int", "date", "percent"]
Row = Mapping[str, Any]

MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: Kind = "text"
    width: int | None = None


# The money columns of an aging report (the ledger's, and dunning's by level, which ties
# to it): the buckets of money.aging, the disputed part, and what is open net of credit.
AGING_COLUMNS = tuple(
    Column(key, title, "money")
    for key, title in (
        ("current", "Current"),
        ("days_1_30", "1-30 days"),
        ("days_31_60", "31-60 days"),
        ("days_61_90", "61-90 days"),
        ("days_over_90", "Over 90 days"),
        ("disputed", "Disputed"),
        ("total", "Total open"),
        ("unapplied", "Unapplied"),
        ("net", "Net"),
    )
)


@dataclass(frozen=True)
class Report:
    """One table: a sheet of a workbook, or the whole of a CSV file."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Row]
    totals: Sequence[Row] = ()  # bold rows under the table (e.g. one per currency)
    meta: Sequence[tuple[str, str]] = ()  # "As of" / "2026-03-15" lines above the table
    sheet: str | None = None  # sheet name; default the title
    notes: Sequence[str] = field(default_factory=tuple)


def cell_value(column: Column, value: Any) -> Any:
    """A JSON value as the typed cell value of ``column`` (decimal strings -> Decimal)."""
    if value is None or value == "":
        return None
    if column.kind in ("money", "percent"):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return value
    if column.kind == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def to_csv(report: Report) -> bytes:
    """The table with a header of column titles, then its totals rows (UTF-8 with a BOM,
    so Excel reads non-ASCII names right)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([c.title for c in report.columns])
    for row in (*report.rows, *report.totals):
        w.writerow(["" if row.get(c.key) is None else row[c.key] for c in report.columns])
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(reports: Sequence[Report]) -> bytes:
    """A workbook with one formatted sheet per report."""
    return workbook(reports, cell_value)


def attachment(content: bytes | str, filename: str, media_type: str) -> Response:
    """``content`` as a download the browser saves as ``filename`` (text as UTF-8)."""
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def download(fmt: str, reports: Report | Sequence[Report], filename: str, body: Any = None) -> Any:
    """The answer in ``fmt``: ``body`` itself for JSON, else the file named
    ``filename`` (without extension). CSV holds the first report."""
    if fmt == "json":
        return body
    many = [reports] if isinstance(reports, Report) else list(reports)
    if fmt == "csv":
        content = to_csv(many[0])
        media = "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        content, media = to_xlsx(many), MEDIA_TYPES["xlsx"]
    else:  # pragma: no cover - format_param lets only the route's formats through
        raise ValueError(fmt)
    return attachment(content, f"{filename}.{fmt}", media)


def negotiate(fmt: str | None, accept: str | None, allowed: Sequence[str]) -> str:
    """The format to answer in: ``fmt`` when given (ValueError unless allowed), else the
    first of ``accept``'s media types (by q) the route produces, JSON for none or ``*/*``.
    HTTPException 406 when ``accept`` names only types the route cannot produce."""
    if fmt is not None:
        if fmt not in allowed:
            raise ValueError(f"{fmt!r} is not one of {', '.join(allowed)}")
        return fmt
    if not accept:
        return "json"
    wanted: list[tuple[float, int, str]] = []
    for n, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            wanted.append((-q, n, media.lower()))
    for _, _, media in sorted(wanted):
        if media in ("*/*", "application/*", "application/problem+json"):
            return "json"
        for name in allowed:
            if MEDIA_TYPES[name] == media or (media == "text/*" and name == "csv"):
                return name
    raise HTTPException(
        406, f"this report is available as {', '.join(MEDIA_TYPES[a] for a in allowed)}"
    )


def format_param(*allowed: str) -> Any:
    """A dependency: the format the request wants among ``allowed`` (json first)."""
    names = "|".join(allowed)

    async def dependency(
        format: Annotated[
            str | None,
            Query(
                description=f"{names}; without it, the Accept header decides (JSON by default)",
                json_schema_extra={"x-formats": list(allowed)},
            ),
        ] = None,
        accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> str:
        try:
            return negotiate(format, accept, allowed)
        except ValueError as e:
            raise RequestValidationError(
                [{"type": "format", "loc": ("query", "format"), "msg": str(e), "input": format}]
            ) from None

    return Depends(dependency)

"""The XLSX writer behind :mod:`servicekit.exports` (openpyxl): one sheet per report with a
title, meta lines, a frozen bold header with filters, typed cells and bold totals."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from servicekit.exports import Column, Report

_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_RULE = Border(top=Side(style="thin"), bottom=Side(style="double"))
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def _money_format(places: int) -> str:
    return (
        "#,##0"
        + ("." + "0" * places if places else "")
        + ";-#,##0"
        + ("." + "0" * places if places else "")
    )


def _places(value: Any) -> int:
    if isinstance(value, Decimal):
        exp = value.as_tuple().exponent
        return -exp if isinstance(exp, int) and exp < 0 else 0
    return 0


def _number_format(column: Column, value: Any) -> str | None:
    if column.kind == "money" and isinstance(value, Decimal):
        return _money_format(_places(value))
    if column.kind == "percent":
        return "0.00%"
    if column.kind == "date":
        return "yyyy-mm-dd"
    if column.kind == "int":
        return "#,##0"
    return None


def _sheet_name(report: Report, taken: set[str]) -> str:
    base = _BAD_SHEET.sub(" ", report.sheet or report.title)[:31] or "Sheet"
    name, n = base, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _write(ws: Any, report: Report, typed: Callable[[Column, Any], Any]) -> None:
    ws.append([report.title])
    ws.cell(1, 1).font = Font(bold=True, size=14)
    for label, value in report.meta:
        ws.append([label, value])
        ws.cell(ws.max_row, 1).font = _BOLD
    for note in report.notes:
        ws.append([note])
    ws.append([])
    ws.append([c.title for c in report.columns])
    header = ws.max_row
    for cell in ws[header]:
        cell.font, cell.fill = _BOLD, _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    widths = [max(10, len(c.title) + 2) for c in report.columns]
    for bold, rows in ((False, report.rows), (True, report.totals)):
        for row in rows:
            ws.append([typed(c, row.get(c.key)) for c in report.columns])
            r = ws.max_row
            for n, column in enumerate(report.columns, start=1):
                cell = ws.cell(r, n)
                fmt = _number_format(column, cell.value)
                if fmt:
                    cell.number_format = fmt
                if bold:
                    cell.font, cell.border = _BOLD, _RULE
                widths[n - 1] = max(widths[n - 1], min(60, len(str(row.get(column.key) or "")) + 2))
    for n, column in enumerate(report.columns, start=1):
        ws.column_dimensions[get_column_letter(n)].width = column.width or widths[n - 1]
    ws.freeze_panes = ws.cell(header + 1, 1)
    last_data = header + len(report.rows)
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(report.columns))}{last_data}"


def workbook(reports: Sequence[Report], typed: Callable[[Column, Any], Any]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for report in reports:
        _write(wb.create_sheet(_sheet_name(report, taken)), report, typed)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

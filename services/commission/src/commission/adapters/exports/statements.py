"""Statement exports: CSV and a formatted XLSX workbook, from the statement's JSON view.

The view (see ``adapters.http.views.statement_document``) holds one section per currency,
amounts as decimal strings; the exports keep them exact (CSV as the same strings, XLSX as
numbers with the currency's decimals and a totals row per section).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from commission.domain.money import exponent

ENTRY_COLUMNS = (
    ("date", "Date"),
    ("kind", "Kind"),
    ("event_type", "Ledger event"),
    ("account_id", "Account"),
    ("invoice_id", "Invoice"),
    ("line_no", "Line"),
    ("policy_id", "Policy"),
    ("product", "Product"),
    ("policy_year", "Policy year"),
    ("basis", "Basis"),
    ("premium", "Premium"),
    ("rate", "Rate"),
    ("amount", "Commission"),
)
SUMMARY = (
    ("opening_balance", "Opening balance"),
    ("accruals", "Accruals"),
    ("clawbacks", "Clawbacks"),
    ("net", "Net"),
    ("net_payable", "Net payable"),
    ("carried_forward", "Carried forward"),
)
_MONEY_KEYS = {"premium", "amount"}


def statement_csv(doc: dict[str, Any]) -> str:
    """One row per entry, then the summary rows of each currency section."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["broker_id", "period", "currency", *(k for k, _ in ENTRY_COLUMNS)])
    for sec in doc["statements"]:
        for e in sec["entries"]:
            w.writerow(
                [
                    doc["broker_id"],
                    doc["period"],
                    sec["currency"],
                    *(e[k] if e[k] is not None else "" for k, _ in ENTRY_COLUMNS),
                ]
            )
        for key, label in SUMMARY:
            w.writerow(
                [
                    doc["broker_id"],
                    doc["period"],
                    sec["currency"],
                    "",
                    label.lower(),
                    *[""] * (len(ENTRY_COLUMNS) - 3),  # between kind and amount
                    sec[key],
                ]
            )
    return out.getvalue()


def _fmt(currency: str) -> str:
    places = exponent(currency)
    return "#,##0" + ("." + "0" * places if places else "")


def statement_xlsx(doc: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = f"Statement {doc['period']}"
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    top = Border(top=Side(style="thin"))
    ws.append([f"Commission statement {doc['period']}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["Broker", doc["broker_id"], doc.get("name") or ""])
    ws.append([])
    for sec in doc["statements"]:
        money = _fmt(sec["currency"])
        ws.append([f"Currency {sec['currency']}", sec["statement_id"]])
        ws.cell(ws.max_row, 1).font = bold
        ws.append([label for _, label in ENTRY_COLUMNS])
        for cell in ws[ws.max_row]:
            cell.font, cell.fill = bold, head_fill
            cell.alignment = Alignment(horizontal="center")
        first = ws.max_row + 1
        for e in sec["entries"]:
            ws.append([_cell(k, e[k]) for k, _ in ENTRY_COLUMNS])
            row = ws.max_row
            for k in ("premium", "amount"):
                ws.cell(row, _col(k)).number_format = money
            ws.cell(row, _col("rate")).number_format = "0.00##%"
            ws.cell(row, _col("date")).number_format = "yyyy-mm-dd"
        last = ws.max_row
        ws.append(["Total"])
        total_row = ws.max_row
        for k in ("premium", "amount"):
            c = ws.cell(total_row, _col(k))
            letter = get_column_letter(_col(k))
            c.value = f"=SUM({letter}{first}:{letter}{last})" if last >= first else 0
            c.number_format = money
        for cell in ws[total_row]:
            cell.font, cell.border = bold, top
        for key, label in SUMMARY:
            ws.append([label])
            c = ws.cell(ws.max_row, _col("amount"), Decimal(sec[key]))
            c.number_format = money
            if key == "net_payable":
                ws.cell(ws.max_row, 1).font = c.font = bold
        if sec.get("paid"):
            ws.append(["Paid", sec["paid"]["reference"], sec["paid"]["paid_on"]])
        ws.append([])
    for n, (_key, label) in enumerate(ENTRY_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(n)].width = max(12, len(label) + 4)
    ws.freeze_panes = "A4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _col(key: str) -> int:
    return [k for k, _ in ENTRY_COLUMNS].index(key) + 1


def _cell(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key == "date":
        return date.fromisoformat(value)
    if key in _MONEY_KEYS or key == "rate":
        return Decimal(value)
    return value

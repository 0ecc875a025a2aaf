"""A statement of account as a PDF (fpdf2), from the statement's JSON view.

Amounts are the view's decimal strings, printed as they are (right-aligned), so the PDF
shows exactly the figures of the JSON and CSV. Names and descriptions print in any script
the fonts cover (:mod:`ledger.adapters.documents.fonts`: Latin, Greek, Cyrillic, Chinese,
Japanese, Korean).
"""

from __future__ import annotations

import json
from typing import Any

from fpdf import FPDF

from ledger.adapters.documents.fonts import set_fonts

# column: (title, width in mm, alignment)
_COLUMNS = (
    ("date", "Date", 22, "L"),
    ("reference", "Reference", 30, "L"),
    ("description", "Description", 62, "L"),
    ("debit", "Debit", 24, "R"),
    ("credit", "Credit", 24, "R"),
    ("balance", "Balance", 28, "R"),
)
_ROW = 6.0


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Cut ``text`` to fit ``width`` (an ellipsis marks the cut)."""
    if pdf.get_string_width(text) <= width - 2:
        return text
    while text and pdf.get_string_width(text + "...") > width - 2:
        text = text[:-1]
    return text + "..."


def _header(pdf: FPDF) -> None:
    pdf.set_font(style="B", size=9)
    pdf.set_fill_color(221, 235, 247)
    for _key, title, width, align in _COLUMNS:
        pdf.cell(width, _ROW, title, border="B", align=align, fill=True)
    pdf.ln(_ROW)
    pdf.set_font(style="", size=9)


def _line(pdf: FPDF, values: dict[str, Any], *, bold: bool = False) -> None:
    if pdf.will_page_break(_ROW):
        pdf.add_page()
        _header(pdf)
    pdf.set_font(style="B" if bold else "", size=9)
    for key, _title, width, align in _COLUMNS:
        pdf.cell(width, _ROW, _fit(pdf, str(values.get(key) or ""), width), align=align)
    pdf.ln(_ROW)


def statement_pdf(body: dict[str, Any]) -> bytes:
    pdf = FPDF(format="A4")
    family = set_fonts(pdf, json.dumps(body, ensure_ascii=False))
    pdf.set_title(f"Statement {body['account_id']} {body['from']} to {body['to']}")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.cell(0, 10, "Statement of account", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    for label, value in (
        ("Account", f"{body['account_id']}  {body['name']}"),
        ("Currency", body["currency"]),
        ("Period", f"{body['from']} to {body['to']}"),
    ):
        pdf.cell(25, 6, label)
        pdf.cell(0, 6, str(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _header(pdf)
    opening = {"date": body["from"], "description": "Opening balance"}
    _line(pdf, {**opening, "balance": body["opening_balance"]}, bold=True)
    for line in body["lines"]:
        _line(pdf, line)
    closing = {"date": body["to"], "description": "Closing balance"}
    _line(pdf, {**closing, "balance": body["closing_balance"]}, bold=True)
    return bytes(pdf.output())

"""Exports: format negotiation, CSV as written, XLSX typed and formatted; cursors."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook  # type: ignore[import-untyped]
from starlette.exceptions import HTTPException

from servicekit import paging
from servicekit.exports import Column, Report, negotiate, to_csv, to_xlsx

COLUMNS = (
    Column("account_id", "Account"),
    Column("due", "Due", "date"),
    Column("open", "Open", "money"),
    Column("days", "Days", "int"),
)
REPORT = Report(
    title="Aging",
    columns=COLUMNS,
    rows=[
        {"account_id": "A-1", "due": "2026-01-31", "open": "1250.50", "days": 3},
        {"account_id": "Ünïcode 株式会社", "due": None, "open": "-0.01", "days": 0},
    ],
    totals=[{"account_id": "Total SGD", "open": "1250.49"}],
    meta=[("As of", "2026-02-03")],
)


def test_format_parameter_wins_and_unknown_ones_are_refused() -> None:
    assert negotiate("csv", "application/json", ("json", "csv")) == "csv"
    with pytest.raises(ValueError, match="xlsx"):
        negotiate("xlsx", None, ("json", "csv"))


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("*/*", "json"),
        ("text/csv", "csv"),
        (
            "text/csv;q=0.5, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        ("application/json;q=0.1, text/csv", "csv"),
        ("text/html, */*;q=0.8", "json"),
    ],
)
def test_accept_header_picks_the_format(accept: str | None, expected: str) -> None:
    assert negotiate(None, accept, ("json", "csv", "xlsx")) == expected


def test_accept_naming_nothing_producible_is_406() -> None:
    with pytest.raises(HTTPException) as e:
        negotiate(None, "application/pdf", ("json", "csv"))
    assert e.value.status_code == 406


def test_csv_keeps_values_as_written_with_totals_last() -> None:
    text = to_csv(REPORT).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["Account", "Due", "Open", "Days"],
        ["A-1", "2026-01-31", "1250.50", "3"],
        ["Ünïcode 株式会社", "", "-0.01", "0"],
        ["Total SGD", "", "1250.49", ""],
    ]


def test_xlsx_is_typed_formatted_frozen_with_bold_totals() -> None:
    wb = load_workbook(io.BytesIO(to_xlsx([REPORT, Report("Aging", COLUMNS, [])])))
    assert wb.sheetnames == ["Aging", "Aging (2)"]
    ws = wb["Aging"]
    assert ws["A1"].value == "Aging"
    assert (ws["A2"].value, ws["B2"].value) == ("As of", "2026-02-03")
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Account")
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.cell(header, 1).font.bold
    first = header + 1
    assert ws.cell(first, 2).value.date() == date(2026, 1, 31)
    assert Decimal(str(ws.cell(first, 3).value)) == Decimal("1250.50")
    assert ws.cell(first, 3).number_format.startswith("#,##0.00")
    assert ws.cell(first, 4).value == 3
    total = first + 2
    assert ws.cell(total, 1).value == "Total SGD"
    assert ws.cell(total, 3).font.bold
    assert Decimal(str(ws.cell(total, 3).value)) == Decimal("1250.49")


def test_zero_decimal_currencies_have_no_places() -> None:
    report = Report("JPY", COLUMNS, [{"account_id": "J", "open": "150000"}])
    ws = load_workbook(io.BytesIO(to_xlsx([report])))["JPY"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == 150000)
    assert cell.number_format.startswith("#,##0;")


keys = st.tuples(st.text(max_size=20), st.integers(-(2**53), 2**53), st.dates().map(date.isoformat))


@given(keys)
def test_a_cursor_decodes_to_the_key_it_was_made_from(key: tuple[str, int, str]) -> None:
    decoded = paging.decode(paging.encode(key), (str, int, date))
    assert decoded == (key[0], key[1], date.fromisoformat(key[2]))


@pytest.mark.parametrize("bad", ["", "!!!", "bnVsbA", "WzEsMiwzXQ", "WyJhIiwxLCJub3QgYSBkYXRlIl0"])
def test_a_foreign_cursor_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="cursor"):
        paging.decode(bad, (str, int, date))

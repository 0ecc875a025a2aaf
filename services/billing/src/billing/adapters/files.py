"""Member lists in and reports out: CSV and XLSX (openpyxl).

A member list has a header row naming its columns (any order, any case): ``member_id``,
``name``, ``tier``, ``start`` and optionally ``end`` and ``premium`` (the annual premium
the client expects, for reconciliation). Dates are ISO 8601 text or spreadsheet dates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from billing.domain.errors import InvalidMemberFile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REQUIRED = ("member_id", "tier")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_rows(content: bytes, content_type: str | None) -> list[tuple[int, dict[str, str]]]:
    """The data rows as dicts keyed by lower-case column name ("" for empty cells), each
    with its row number in the file (the header is row 1; blank rows are skipped but
    counted)."""
    if not content:
        raise InvalidMemberFile("the member list is empty", field="body")
    is_xlsx = (content_type or "").startswith(XLSX) or content[:2] == b"PK"
    try:
        table = _xlsx(content) if is_xlsx else _csv(content)
    except InvalidMemberFile:
        raise
    except Exception as e:  # a damaged file: the reader's own words
        kind = "XLSX" if is_xlsx else "CSV"
        raise InvalidMemberFile(f"not a readable {kind} file: {e}", field="body") from None
    if not table:
        raise InvalidMemberFile("the member list has no header row", field="body")
    header = [h.strip().lower() for h in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidMemberFile(f"the header lacks {', '.join(missing)}", field="body")
    rows = []
    for n, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        row = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
        _text_only(row, n)
        rows.append((n, row))
    return rows


def _text_only(row: dict[str, str], n: int) -> None:
    """A NUL character (U+0000) is valid UTF-8 but no text column holds it: refused here,
    before a name or an id carrying one reaches the database."""
    for column, value in row.items():
        if "\x00" in value:
            raise InvalidMemberFile(
                f"row {n}: {column} holds a NUL character (U+0000), which text cannot hold",
                field=f"row {n}.{column}",
            )


def _csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidMemberFile("a CSV member list is UTF-8 text", field="body") from None
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def _xlsx(content: bytes) -> list[list[str]]:
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def to_csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _cell(row.get(c)) for c in columns})
    return out.getvalue().encode()


def to_xlsx(title: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

"""Partner CSV files, read with the partner's saved :class:`CsvMapping`.

Line numbers are the file's (the header is line 1). The whole file is read before anything
is kept, so a bad row refuses the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from cash.adapters.formats.text import decoded
from cash.domain.errors import CashError, InvalidStatement
from cash.domain.money import minor_units
from cash.domain.partners import CsvMapping
from cash.domain.statement import Direction, StatementLine


def _decimal(text: str, mapping: CsvMapping) -> Decimal:
    cleaned = text.strip().replace(" ", "")
    if mapping.decimal_comma:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not an amount") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount")
    return value


def _withheld(row: dict[str, str], net: Decimal, mapping: CsvMapping) -> Decimal:
    """The fee the partner kept: its ``fee`` column (either sign), else ``gross`` - net; a
    file giving both must add up."""
    col = mapping.columns
    fee = gross = None
    if (row.get(col.get("fee", "")) or "").strip():
        fee = abs(_decimal(row[col["fee"]], mapping))
    if (row.get(col.get("gross", "")) or "").strip():
        gross = _decimal(row[col["gross"]], mapping)
    if gross is None:
        return fee or Decimal(0)
    if fee is None:
        fee = gross - net
        if fee < 0:
            raise ValueError(f"{col['gross']} {gross} is less than {col['amount']} {net}")
    elif gross - fee != net:
        raise ValueError(f"{col['gross']} {gross} less {col['fee']} {fee} is not {net}")
    return fee


def rows(raw: bytes, mapping: CsvMapping) -> list[tuple[int, dict[str, str]]]:
    """(line number, row by header) for every data row."""
    text = decoded(raw, "utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=mapping.delimiter)
    try:  # the header row is read here: it may already not be CSV (a field too long ...)
        headers = set(reader.fieldnames or ())
        missing = [c for c in mapping.columns.values() if c not in headers]
        if missing:
            raise InvalidStatement(f"the header has no column {', '.join(missing)}", line=1)
        return [(reader.line_num, row) for row in reader]
    except csv.Error as e:  # line_num counts the lines read before the one at fault
        raise InvalidStatement(f"not CSV: {e}", line=reader.line_num + 1) from None


def _cells(row: dict[str, Any]) -> Iterator[str]:
    """A row's cells, with those past the header's last column (a list under ``None``)."""
    for value in row.values():
        if isinstance(value, list):
            yield from value
        elif value:
            yield value


def parse(raw: bytes, file_id: str, mapping: CsvMapping) -> list[StatementLine]:
    col = mapping.columns
    lines = []
    for line_no, row in rows(raw, mapping):
        if not any(cell.strip() for cell in _cells(row)):
            continue  # a blank line
        try:
            currency = (row[col["currency"]] if "currency" in col else mapping.currency) or ""
            amount = _decimal(row[col["amount"]] or "", mapping)
            day = datetime.strptime(  # a calendar date: no time zone
                row[col["value_date"]].strip(), mapping.date_format
            ).replace(tzinfo=UTC)
            fee = _withheld(row, amount, mapping)
            ref = (row[col["entry_ref"]] or "").strip()
            if not ref:
                raise ValueError(f"{col['entry_ref']} is empty")
            lines.append(
                StatementLine(
                    line_no=line_no,
                    bank_account=mapping.bank_account,
                    entry_ref=ref,
                    direction=Direction.DEBIT if amount < 0 else Direction.CREDIT,
                    amount=minor_units(abs(amount), currency.strip().upper()),
                    currency=currency.strip().upper(),
                    value_date=date(day.year, day.month, day.day),
                    payer_name=(row.get(col.get("payer_name", ""), "") or "").strip(),
                    remittance=(row.get(col.get("remittance", ""), "") or "").strip(),
                    end_to_end_id=(row.get(col.get("end_to_end_id", ""), "") or "").strip(),
                    fee=minor_units(fee, currency.strip().upper(), field="fee"),
                )
            )
        except CashError as e:
            raise InvalidStatement(e.detail, line=line_no) from None
        except (ValueError, TypeError, KeyError) as e:
            raise InvalidStatement(str(e), line=line_no) from None
    return lines

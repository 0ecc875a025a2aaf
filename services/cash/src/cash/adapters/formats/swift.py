"""SWIFT MT940 customer statements, read with the ``mt-940`` library.

``:61:`` lines are the entries; the ``:86:`` information that follows is the remittance
information, where the structured codes are read when present: ``/NAME/`` the payer,
``/REMI/`` the remittance, ``/EREF/`` the end-to-end reference and ``/RTRN/`` an ISO return
reason. The bank's reference (``//`` part of ``:61:``) identifies the entry; without one,
the statement reference and the entry's place in the file do.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import mt940

from cash.adapters.formats.text import decoded
from cash.domain.errors import CashError, InvalidStatement
from cash.domain.money import minor_units
from cash.domain.statement import Direction, StatementLine

_ENTRY = re.compile(r"^:61:", re.MULTILINE)
_CODE = re.compile(r"/(NAME|REMI|EREF|RTRN)/([^/\n]*)")


def looks_like(raw: bytes) -> bool:
    head = raw[:2048]
    return b":20:" in head and b":61:" in raw and b":25:" in head


def _structured(details: str) -> dict[str, str]:
    return {code: value.strip() for code, value in _CODE.findall(details)}


def parse(raw: bytes, file_id: str) -> list[StatementLine]:
    text = decoded(raw)
    starts = [text.count("\n", 0, m.start()) + 1 for m in _ENTRY.finditer(text)]
    lines = text.splitlines()
    entry = mt940.tags.Statement()
    for line_no in starts:
        found = entry.re.match(lines[line_no - 1][4:])
        if found is None or not found.group("id"):  # the type code follows the amount
            raise InvalidStatement(
                "a :61: entry that does not read as date, C/D mark, amount, type code",
                line=line_no,
            )
    statement = mt940.models.Transactions()
    try:
        statement.parse(text)
    except Exception as e:  # the library raises plain errors on malformed tags
        raise InvalidStatement(f"not a readable MT940 statement: {e}") from None
    account = str(statement.data.get("account_identification") or "").strip()
    if not account:
        raise InvalidStatement("no :25: account identification", line=1)
    reference = str(statement.data.get("transaction_reference") or file_id[:16])
    if len(statement) != len(starts):
        raise InvalidStatement(
            f"{len(starts)} :61: entries, {len(statement)} readable: an entry is malformed",
            line=starts[len(statement)] if len(statement) < len(starts) else None,
        )
    return [
        _line(t.data, account, reference, n, line_no)
        for n, (t, line_no) in enumerate(zip(statement, starts, strict=True), 1)
    ]


def _line(
    data: dict[str, Any], account: str, reference: str, n: int, line_no: int
) -> StatementLine:
    amount = data["amount"]
    currency = str(amount.currency)
    status = str(data.get("status") or "")
    if status not in ("C", "D", "RC", "RD"):
        raise InvalidStatement(f"credit/debit mark {status!r} is not C, D, RC or RD", line=line_no)
    try:
        minor = minor_units(abs(Decimal(amount.amount)), currency)
    except CashError as e:
        raise InvalidStatement(e.detail, line=line_no) from None
    details = str(data.get("transaction_details") or "").replace("\n", "")
    codes = _structured(details)
    bank_ref = str(data.get("bank_reference") or "").strip()
    customer_ref = str(data.get("customer_reference") or "").strip()
    e2e = codes.get("EREF") or ("" if customer_ref in ("", "NONREF") else customer_ref)
    credit = status in ("C", "RD")
    booked = data.get("entry_date")
    return StatementLine(
        line_no=line_no,
        bank_account=account,
        entry_ref=bank_ref if bank_ref and bank_ref != "NONREF" else f"{reference}:{n}",
        direction=Direction.CREDIT if credit else Direction.DEBIT,
        amount=minor,
        currency=currency,
        value_date=date(data["date"].year, data["date"].month, data["date"].day),
        booking_date=date(booked.year, booked.month, booked.day) if booked else None,
        payer_name=codes.get("NAME", ""),
        remittance=codes.get("REMI", details) if codes else details,
        end_to_end_id=e2e,
        return_code=codes.get("RTRN", ""),
        original_ref=e2e if codes.get("RTRN") else "",
    )

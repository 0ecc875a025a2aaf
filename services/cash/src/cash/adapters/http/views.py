"""JSON shapes of imports and statement lines (amounts as decimal strings)."""

from __future__ import annotations

from typing import Any

from cash.application.plans import posting_view, suggestion_view
from cash.application.ports import ImportRecord, LineRecord
from cash.domain.money import decimal_string


def import_view(rec: ImportRecord, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "file_id": rec.file_id,
        "format": rec.format,
        "filename": rec.filename,
        "imported_at": rec.imported_at.isoformat(),
        "imported_by": rec.imported_by,
        "lines": rec.lines,
        "new_lines": rec.new_lines,
        "partner_id": rec.partner_id,
        "jurisdictions": None if rec.jurisdictions is None else sorted(rec.jurisdictions),
        "status": counts,
    }


def line_view(rec: LineRecord) -> dict[str, Any]:
    ln, ccy = rec.line, rec.line.currency
    return {
        "line_id": ln.line_id,
        "file_id": rec.file_id,
        "line_no": ln.line_no,
        "bank_account": ln.bank_account,
        "jurisdiction": rec.jurisdiction,
        "entry_ref": ln.entry_ref,
        "direction": ln.direction.value,
        "amount": decimal_string(ln.amount, ccy),
        "fee": decimal_string(ln.fee, ccy),
        "currency": ccy,
        "value_date": ln.value_date.isoformat(),
        "payer_name": ln.payer_name,
        "remittance": ln.remittance,
        "end_to_end_id": ln.end_to_end_id,
        "return_code": ln.return_code or None,
        "status": rec.status,
        "score": rec.score,
        "account_id": rec.account_id,
        "note": rec.note,
        "suspense_account": rec.suspense,
        "postings": [posting_view(p, ccy) for p in rec.postings],
        "suggestions": [suggestion_view(s, ccy) for s in rec.suggestions],
    }

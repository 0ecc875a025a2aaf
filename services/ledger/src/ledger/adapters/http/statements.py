"""Customer statements: opening balance, what moved it, closing balance (JSON or CSV)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ledger.adapters.http.deps import AccountId, Conn, LedgerDep
from ledger.adapters.http.queries import KnownAt, account_or_404
from ledger.adapters.postgres import queries
from ledger.domain import errors as err
from ledger.domain.money import format_minor

router = APIRouter(prefix="/v1", tags=["queries"])

# the document's own id first, then what it refers to
_REFERENCES = (
    "credit_note_id",
    "adjustment_id",
    "write_off_id",
    "recovery_id",
    "refund_id",
    "payment_id",
    "invoice_id",
)
_LABELS = {
    "InvoiceIssued": "Invoice",
    "PaymentReceived": "Payment received",
    "PaymentReversed": "Payment reversed",
    "CreditNoteIssued": "Credit note",
    "AdjustmentPosted": "Adjustment",
    "InvoiceWrittenOff": "Written off",
    "WriteOffRecovered": "Write-off recovered",
    "RefundIssued": "Refund",
}


def _describe(event_type: str, data: dict[str, Any]) -> tuple[str, str]:
    reference = next((str(data[k]) for k in _REFERENCES if data.get(k)), "")
    label = _LABELS.get(event_type, event_type)
    detail = data.get("reason") or data.get("method") or ""
    on = (
        f" on {data['invoice_id']}"
        if data.get("invoice_id") and reference != data["invoice_id"]
        else ""
    )
    return reference, f"{label}{on}" + (f" ({detail})" if detail else "")


@router.get("/accounts/{account_id}/statement", summary="Statement of account for a period")
async def statement(
    account_id: AccountId,
    conn: Conn,
    ledger: LedgerDep,
    start: Annotated[date, Query(alias="from", description="first day of the period")],
    end: Annotated[date | None, Query(alias="to", description="last day; default today")] = None,
    known_at: KnownAt = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    account = await account_or_404(conn, account_id)
    last = end or ledger.clock.today()
    if last < start:
        raise err.InvalidDates("to is before from", field="to")
    cur = account["currency"]
    opening = await queries.net_balance(conn, account_id, start - timedelta(days=1), known_at)
    running = opening
    lines = []
    for m in await queries.statement_movements(conn, account_id, start, last, known_at):
        running += m["change"]
        reference, description = _describe(m["event_type"], m["data"])
        lines.append(
            {
                "date": m["effective_date"].isoformat(),
                "type": m["event_type"],
                "reference": reference,
                "description": description,
                "debit": format_minor(m["change"], cur) if m["change"] > 0 else None,
                "credit": format_minor(-m["change"], cur) if m["change"] < 0 else None,
                "balance": format_minor(running, cur),
            }
        )
    body = {
        "account_id": account_id,
        "name": account["name"],
        "currency": cur,
        "from": start.isoformat(),
        "to": last.isoformat(),
        "opening_balance": format_minor(opening, cur),
        "lines": lines,
        "closing_balance": format_minor(running, cur),
    }
    if format == "csv":
        return _csv(body)
    return body


def _csv(body: dict[str, Any]) -> Response:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Statement", body["account_id"], body["name"], body["currency"]])
    w.writerow(["Period", body["from"], body["to"]])
    w.writerow(["date", "type", "reference", "description", "debit", "credit", "balance"])
    w.writerow([body["from"], "", "", "Opening balance", "", "", body["opening_balance"]])
    for line in body["lines"]:
        w.writerow(
            [
                line[k] or ""
                for k in ("date", "type", "reference", "description", "debit", "credit", "balance")
            ]
        )
    w.writerow([body["to"], "", "", "Closing balance", "", "", body["closing_balance"]])
    name = f"statement-{body['account_id']}-{body['from']}-{body['to']}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

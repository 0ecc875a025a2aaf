"""Customer statements: opening balance, what moved it, closing balance (JSON, CSV, XLSX, PDF)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from ledger.adapters.documents.statement_pdf import statement_pdf
from ledger.adapters.http import scopes as sc
from ledger.adapters.http.access import VisibleAccount
from ledger.adapters.http.deps import Conn, LedgerDep
from ledger.adapters.http.queries import KnownAt, account_or_404
from ledger.adapters.postgres import queries
from ledger.domain import errors as err
from ledger.domain.money import format_minor
from servicekit.auth import requires
from servicekit.exports import MEDIA_TYPES, Column, Report, attachment, download, format_param
from servicekit.types import Day

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


@router.get(
    "/accounts/{account_id}/statement",
    summary="Statement of account for a period",
    dependencies=[requires(sc.READ)],
)
async def statement(
    account_id: VisibleAccount,
    conn: Conn,
    ledger: LedgerDep,
    start: Annotated[Day, Query(alias="from", description="first day of the period")],
    fmt: Annotated[str, format_param("json", "csv", "xlsx", "pdf")],
    end: Annotated[Day | None, Query(alias="to", description="last day; default today")] = None,
    known_at: KnownAt = None,
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
    name = f"statement-{account_id}-{body['from']}-{body['to']}"
    if fmt == "pdf":
        return attachment(statement_pdf(body), f"{name}.pdf", MEDIA_TYPES["pdf"])
    return download(fmt, _report(body), name, body)


def _report(body: dict[str, Any]) -> Report:
    """The statement as a table: opening balance, the movements, closing balance."""
    opening = {"date": body["from"], "description": "Opening balance"}
    closing = {"date": body["to"], "description": "Closing balance"}
    return Report(
        title=f"Statement of account {body['account_id']}",
        columns=(
            Column("date", "Date", "date"),
            Column("type", "Type"),
            Column("reference", "Reference"),
            Column("description", "Description"),
            Column("debit", "Debit", "money"),
            Column("credit", "Credit", "money"),
            Column("balance", "Balance", "money"),
        ),
        rows=[{**opening, "balance": body["opening_balance"]}, *body["lines"]],
        totals=[{**closing, "balance": body["closing_balance"]}],
        meta=[
            ("Account", f"{body['account_id']} {body['name']}"),
            ("Currency", body["currency"]),
            ("Period", f"{body['from']} to {body['to']}"),
        ],
        sheet="Statement",
    )

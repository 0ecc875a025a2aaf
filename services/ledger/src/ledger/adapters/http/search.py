"""Search routes: accounts, invoices and payments across the ledger, cursor-paged."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from ledger.adapters.http import responses as r
from ledger.adapters.http.access import Reader, jurisdictions
from ledger.adapters.http.deps import Conn
from ledger.adapters.http.schemas import CURRENCY_PATTERN, ID_PATTERN
from ledger.adapters.http.views import account_view, item_view
from ledger.adapters.postgres import search
from ledger.domain import errors as err
from ledger.domain.money import format_minor
from servicekit.paging import Key, Limit, cursor_param, page
from servicekit.types import Day, JurisdictionFilter

router = APIRouter(prefix="/v1", tags=["search"])

IdFilter = Annotated[str | None, Query(min_length=1, max_length=64, pattern=ID_PATTERN)]
Currency = Annotated[str | None, Query(pattern=CURRENCY_PATTERN)]
ByName = Annotated[Key | None, cursor_param(str, str)]
ByDate = Annotated[Key | None, cursor_param(date, str, str)]


def _range(start: date | None, end: date | None, field: str) -> None:
    if start is not None and end is not None and end < start:
        raise err.InvalidDates(f"{field} is before the start of the range", field=field)


@router.get(
    "/accounts",
    summary="Find accounts by name or id, status, jurisdiction, broker and currency",
    response_model=r.AccountPage,
)
async def list_accounts(
    principal: Reader,
    conn: Conn,
    after: ByName,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="part of the name or the account id, any case",
        ),
    ] = None,
    status: Annotated[str | None, Query(pattern="^[a-z_]{1,32}$")] = None,
    jurisdiction: JurisdictionFilter = None,
    broker_id: IdFilter = None,
    currency: Currency = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    f = search.AccountFilter(q, status, jurisdiction, broker_id, currency)
    within = jurisdictions(principal, None)
    rows = await search.search_accounts(conn, f, after=after, limit=limit + 1, within=within)
    kept, cursor = page(rows, limit, key=lambda row: (row["name"], row["account_id"]))
    return {"accounts": [account_view(row) for row in kept], "next_cursor": cursor}


@router.get(
    "/invoices",
    summary="Find invoices and debit notes by account, policy, status and due date",
    response_model=r.InvoicePage,
)
async def find_invoices(
    principal: Reader,
    conn: Conn,
    after: ByDate,
    account_id: IdFilter = None,
    policy_id: IdFilter = None,
    status: Annotated[
        str | None,
        Query(
            pattern="^(open|paid|written_off|cancelled)$",
            description="open: something is still open; else the invoice's status",
        ),
    ] = None,
    due_from: Annotated[Day | None, Query(description="due on or after")] = None,
    due_to: Annotated[Day | None, Query(description="due on or before")] = None,
    currency: Currency = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    _range(due_from, due_to, "due_to")
    f = search.InvoiceFilter(account_id, policy_id, status, due_from, due_to, currency)
    within = jurisdictions(principal, None)
    rows = await search.search_invoices(conn, f, after=after, limit=limit + 1, within=within)
    kept, cursor = page(
        rows, limit, key=lambda row: (row["due_date"], row["account_id"], row["item_id"])
    )
    return {
        "invoices": [
            {"account_id": row["account_id"], **item_view(row, row["currency"])} for row in kept
        ],
        "next_cursor": cursor,
    }


def _payment(row: dict[str, Any]) -> dict[str, Any]:
    cur = row["currency"]
    return {
        "account_id": row["account_id"],
        "payment_id": row["payment_id"],
        "currency": cur,
        "amount": format_minor(row["amount"], cur),
        "received_on": row["received_on"].isoformat(),
        "method": row["method"],
        "reference": row["reference"],
        "allocations": [
            {"invoice_id": i, "amount": format_minor(a, cur)} for i, a in row["allocations"].items()
        ],
        "unapplied": format_minor(row["unapplied"], cur),
        "refunded": format_minor(row["refunded"], cur),
        "reversed": row["reversed"],
    }


@router.get(
    "/payments",
    summary="Find payments by reference, method, account and date received",
    response_model=r.PaymentPage,
)
async def find_payments(
    principal: Reader,
    conn: Conn,
    after: ByDate,
    reference: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="part of the reference, any case"),
    ] = None,
    method: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    account_id: IdFilter = None,
    received_from: Annotated[Day | None, Query(description="received on or after")] = None,
    received_to: Annotated[Day | None, Query(description="received on or before")] = None,
    currency: Currency = None,
    limit: Limit = 50,
) -> dict[str, Any]:
    _range(received_from, received_to, "received_to")
    f = search.PaymentFilter(account_id, reference, method, received_from, received_to, currency)
    within = jurisdictions(principal, None)
    rows = await search.search_payments(conn, f, after=after, limit=limit + 1, within=within)
    kept, cursor = page(
        rows, limit, key=lambda row: (row["received_on"], row["account_id"], row["payment_id"])
    )
    return {"payments": [_payment(row) for row in kept], "next_cursor": cursor}

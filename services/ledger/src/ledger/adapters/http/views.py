"""JSON views of accounts, items, payments and events (amounts as decimal strings)."""

from __future__ import annotations

from typing import Any

from ledger.application.projections import account_row, item_row
from ledger.application.records import StoredEvent
from ledger.domain import events as ev
from ledger.domain.money import format_minor
from ledger.domain.state import Account, Item, Payment


def account_view(row: dict[str, Any]) -> dict[str, Any]:
    cur = row["currency"]
    m = lambda v: format_minor(v, cur)  # noqa: E731
    limit = row["credit_limit"]
    net = row["open"] - row["unapplied"]
    return {
        "account_id": row["account_id"],
        "name": row["name"],
        "currency": cur,
        "jurisdiction": row["jurisdiction"],
        "credit_limit": m(limit),
        "payment_terms_days": row["payment_terms_days"],
        "broker_id": row["broker_id"],
        "status": row["status"],
        "opened_on": row["opened_on"].isoformat(),
        "version": row["version"],
        "summary": {
            "invoiced": m(row["invoiced"] + row["adjusted"]),
            "paid": m(row["received"] - row["reversed"] - row["refunded"]),
            "credited": m(row["credited"]),
            "written_off": m(row["written_off"] - row["recovered"]),
            "refunded": m(row["refunded"]),
            "open": m(row["open"]),
            "unapplied": m(row["unapplied"]),
            "balance": m(net),
            "credit_available": m(limit - net),
        },
    }


def item_view(row: dict[str, Any], currency: str) -> dict[str, Any]:
    m = lambda v: format_minor(v, currency)  # noqa: E731
    return {
        "invoice_id": row["item_id"],
        "kind": row["kind"],
        "issue_date": row["issue_date"].isoformat(),
        "due_date": row["due_date"].isoformat(),
        "currency": currency,
        "amount": m(row["amount"]),
        "adjusted": m(row["adjusted"]),
        "credited": m(row["credited"]),
        "written_off": m(row["written_off"] - row["recovered"]),
        "paid": m(row["paid"]),
        "open_amount": m(row["open_amount"]),
        "status": row["status"],
        "disputed": row["disputed"],
        "dispute_reason": row["dispute_reason"],
        "policy_id": row["policy_id"],
        "broker_id": row["broker_id"],
    }


def state_item_view(item: Item, currency: str) -> dict[str, Any]:
    return item_view(item_row("", item), currency)


def payment_view(p: Payment, currency: str) -> dict[str, Any]:
    m = lambda v: format_minor(v, currency)  # noqa: E731
    return {
        "payment_id": p.payment_id,
        "currency": currency,
        "amount": m(p.amount),
        "received_on": p.received_on.isoformat(),
        "method": p.method,
        "reference": p.reference,
        "allocations": [{"invoice_id": i, "amount": m(a)} for i, a in p.allocations.items()],
        "unapplied": m(p.unapplied),
        "refunded": m(p.refunded),
        "reversed": p.reversed,
    }


def recorded(stored: list[StoredEvent]) -> dict[str, Any]:
    return {
        "version": stored[-1].version,
        "events": [{"position": s.position, "type": s.event_type} for s in stored],
    }


def account_state_view(state: Account) -> dict[str, Any]:
    return account_view(account_row(state))


def shares(items: tuple[ev.PaymentShare, ...]) -> list[dict[str, Any]]:
    return [
        {"payment_id": s.payment_id, "invoice_id": s.invoice_id, "amount": str(s.amount)}
        for s in items
    ]

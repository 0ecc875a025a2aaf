"""Read models derived from events: rows of accounts, open items, payments, journal.

Pure mapping between domain state and table rows, in both directions. The live tables
are written from the state a command leaves behind; ``rebuild`` folds the events again
and must produce the same rows (DESIGN invariant 7).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ledger.domain import events as ev
from ledger.domain.postings import postings
from ledger.domain.state import Account, Item, Payment, Request, Totals

Row = dict[str, Any]

TOTAL_FIELDS = tuple(Totals.__dataclass_fields__)


def account_row(state: Account) -> Row:
    return {
        "account_id": state.account_id,
        "name": state.name,
        "currency": state.currency,
        "jurisdiction": state.jurisdiction,
        "credit_limit": state.credit_limit,
        "payment_terms_days": state.payment_terms_days,
        "broker_id": state.broker_id,
        "status": state.status,
        "opened_on": state.opened_on,
        "version": state.version,
        **vars(state.totals),  # a flat dataclass of ints: no deep copy needed
        "pending": {r.request_id: _request_row(r) for r in state.pending.values()},
    }


def _request_row(request: Request) -> Row:
    """A pending request as the account row keeps it (JSON: dates in ISO form)."""
    row = dict(vars(request))  # a flat dataclass of scalars
    row["requested_on"] = request.requested_on.isoformat()
    return row


def _request(row: Row) -> Request:
    return Request(**{**row, "requested_on": date.fromisoformat(row["requested_on"])})


def item_row(account_id: str, item: Item) -> Row:
    return {
        "account_id": account_id,
        "item_id": item.item_id,
        "kind": item.kind,
        "issue_date": item.issue_date,
        "due_date": item.due_date,
        "amount": item.amount,
        "adjusted": item.adjusted,
        "credited": item.credited,
        "written_off": item.written_off,
        "recovered": item.recovered,
        "paid": item.paid,
        "open_amount": item.open_amount,
        "status": item.status,
        "disputed": item.disputed,
        "dispute_reason": item.dispute_reason,
        "policy_id": item.policy_id,
        "broker_id": item.broker_id,
        "allocations": dict(item.allocations),
    }


def payment_row(account_id: str, payment: Payment) -> Row:
    return {
        "account_id": account_id,
        "payment_id": payment.payment_id,
        "amount": payment.amount,
        "received_on": payment.received_on,
        "method": payment.method,
        "reference": payment.reference,
        "allocations": dict(payment.allocations),
        "refunded": payment.refunded,
        "reversed": payment.reversed,
        "unapplied": payment.unapplied,
    }


def state_from_rows(account: Row, items: list[Row], payments: list[Row]) -> Account:
    """The (partial) account state the rows describe."""
    state = Account(
        account_id=account["account_id"],
        name=account["name"],
        currency=account["currency"],
        jurisdiction=account["jurisdiction"],
        credit_limit=account["credit_limit"],
        payment_terms_days=account["payment_terms_days"],
        opened_on=account["opened_on"],
        broker_id=account["broker_id"],
        status=account["status"],
        version=account["version"],
        totals=Totals(**{f: account[f] for f in TOTAL_FIELDS}),
        pending={k: _request(v) for k, v in (account.get("pending") or {}).items()},
    )
    for r in items:
        state.items[r["item_id"]] = Item(
            item_id=r["item_id"],
            kind=r["kind"],
            issue_date=r["issue_date"],
            due_date=r["due_date"],
            amount=r["amount"],
            adjusted=r["adjusted"],
            credited=r["credited"],
            written_off=r["written_off"],
            recovered=r["recovered"],
            paid=r["paid"],
            disputed=r["disputed"],
            dispute_reason=r["dispute_reason"],
            policy_id=r["policy_id"],
            broker_id=r["broker_id"],
            allocations=dict(r["allocations"]),
        )
    for r in payments:
        state.payments[r["payment_id"]] = Payment(
            payment_id=r["payment_id"],
            amount=r["amount"],
            received_on=r["received_on"],
            method=r["method"],
            reference=r["reference"],
            allocations=dict(r["allocations"]),
            refunded=r["refunded"],
            reversed=r["reversed"],
        )
    return state


def touched(event: ev.Event) -> tuple[set[str], set[str]]:
    """Item ids and payment ids whose rows an event changes."""
    items: set[str] = set()
    pays: set[str] = set()
    fields = event.__dict__  # a missing field through getattr costs a pydantic exception
    invoice_id = fields.get("invoice_id")
    if invoice_id:
        items.add(invoice_id)
    if isinstance(event, ev.AdjustmentPosted) and event.invoice_id is None:
        items.add(event.adjustment_id)
    payment_id = fields.get("payment_id")
    if payment_id:
        pays.add(payment_id)
    for share in (*fields.get("released", ()), *fields.get("sources", ())):
        pays.add(share.payment_id)
        if share.invoice_id:
            items.add(share.invoice_id)
    return items, pays


def journal_rows(
    account_id: str, position: int, event: ev.Event, recorded_at: datetime
) -> list[Row]:
    lines = postings(event)
    if not lines:
        return []
    currency = getattr(event, "currency", "")
    effective_date = event.effective_date()
    event_type = event.event_type()
    return [
        {
            "position": position,
            "line_no": n,
            "account_id": account_id,
            "item_id": p.item_id,
            "ledger_account": str(p.account),  # a StrEnum: its value, without Enum's lookup
            "amount": p.amount,
            "currency": currency,
            "effective_date": effective_date,
            "recorded_at": recorded_at,
            "event_type": event_type,
        }
        for n, p in enumerate(lines, start=1)
    ]

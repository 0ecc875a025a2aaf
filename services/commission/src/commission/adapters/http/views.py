"""JSON views (amounts as decimal strings in each row's currency)."""

from __future__ import annotations

from typing import Any

from commission.domain.agreements import Agreement
from commission.domain.brokers import BankChange, Broker
from commission.domain.money import format_minor


def change_view(c: BankChange) -> dict[str, Any]:
    return {
        "change_id": c.change_id,
        "status": c.status.value,
        "bank": c.details.as_dict(),
        "requested_by": c.requested_by,
        "requested_at": c.requested_at.isoformat(),
        "decided_by": c.decided_by,
        "decided_at": c.decided_at.isoformat() if c.decided_at else None,
        "note": c.note,
    }


def broker_view(
    broker: Broker, active: BankChange | None, changes: list[BankChange]
) -> dict[str, Any]:
    return {
        "broker_id": broker.broker_id,
        "name": broker.name,
        "jurisdiction": broker.jurisdiction,
        "tax_id": broker.tax_id,
        "contact_email": broker.contact_email,
        "registered_at": broker.registered_at.isoformat(),
        "bank": active.details.as_dict() if active else None,
        "pending_bank_changes": [change_view(c) for c in changes if c.status.value == "pending"],
    }


def agreement_view(a: Agreement) -> dict[str, Any]:
    return {
        "agreement_id": a.agreement_id,
        "broker_id": a.broker_id,
        "effective_from": a.effective_from.isoformat(),
        "basis": a.basis.value,
        "rates": [
            {
                "product": r.product,
                "first_year_rate": str(r.first_year_rate),
                "renewal_rate": str(r.renewal_rate),
            }
            for r in a.rates
        ],
        "recorded_at": a.recorded_at.isoformat(),
    }


def entry_view(e: Any) -> dict[str, Any]:
    cur = e.currency
    return {
        "date": e.entry_date.isoformat(),
        "kind": "accrual" if e.amount > 0 else "clawback",
        "event_type": e.event_type,
        "account_id": e.account_id,
        "invoice_id": e.invoice_id,
        "line_no": e.line_no,
        "policy_id": e.policy_id,
        "product": e.product,
        "policy_year": e.policy_year,
        "basis": e.basis,
        "currency": cur,
        "premium": format_minor(e.premium, cur),
        "rate": str(e.rate.normalize()) if e.rate else "0",
        "amount": format_minor(e.amount, cur),
        "agreement_id": e.agreement_id,
    }


def totals(rows: list[Any]) -> list[dict[str, Any]]:
    per: dict[str, list[int]] = {}
    for e in rows:
        t = per.setdefault(e.currency, [0, 0])
        t[0 if e.amount > 0 else 1] += abs(e.amount)
    return [
        {
            "currency": cur,
            "accruals": format_minor(a, cur),
            "clawbacks": format_minor(c, cur),
            "net": format_minor(a - c, cur),
        }
        for cur, (a, c) in sorted(per.items())
    ]


def statement_section(row: Any, entries: list[Any]) -> dict[str, Any]:
    cur = row.currency
    net = row.opening + row.accruals - row.clawbacks
    return {
        "statement_id": row.statement_id,
        "currency": cur,
        "opening_balance": format_minor(row.opening, cur),
        "accruals": format_minor(row.accruals, cur),
        "clawbacks": format_minor(row.clawbacks, cur),
        "net": format_minor(net, cur),
        "net_payable": format_minor(max(net, 0), cur),
        "carried_forward": format_minor(min(net, 0), cur),
        "paid": (
            {"reference": row.paid_reference, "paid_on": row.paid_on.isoformat()}
            if row.paid_reference
            else None
        ),
        "entries": [entry_view(e) for e in entries],
    }

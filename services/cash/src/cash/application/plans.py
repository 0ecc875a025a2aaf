"""Postings as stored with a line: what cash posts (or posted) to the ledger for it.

A plan is written with the line before the ledger is called, so a posting interrupted
half-way is finished later with the very same ids and amounts (the ledger replays what it
already has), never decided again on changed balances.
"""

from __future__ import annotations

from typing import Any

from cash.application import suspense
from cash.domain.allocation import allocation
from cash.domain.matching import Share, Suggestion
from cash.domain.money import decimal_string
from cash.domain.statement import StatementLine, payment_id, write_off_id


def plan(line_id: str, parts: list[Suggestion]) -> list[dict[str, Any]]:
    """One ledger payment per account (a split over several accounts has several)."""
    out = []
    for n, s in enumerate(parts, 1):
        pid = payment_id(line_id, n if len(parts) > 1 else 0)
        out.append(
            {
                "account_id": s.account_id,
                "payment_id": pid,
                "amount": sum(a.amount for a in s.allocations) + s.unapplied,
                "allocations": [
                    {"invoice_id": a.invoice_id, "amount": a.amount} for a in s.allocations
                ],
                "write_offs": [
                    {
                        "invoice_id": w.invoice_id,
                        "amount": w.amount,
                        "write_off_id": write_off_id(pid, w.invoice_id),
                    }
                    for w in s.write_offs
                ],
            }
        )
    return out


def suggestion_json(s: Suggestion) -> dict[str, Any]:
    return {
        "account_id": s.account_id,
        "score": s.score,
        "allocations": [{"invoice_id": a.invoice_id, "amount": a.amount} for a in s.allocations],
        "write_offs": [{"invoice_id": w.invoice_id, "amount": w.amount} for w in s.write_offs],
        "unapplied": s.unapplied,
        "reasons": list(s.reasons),
    }


def shares_view(shares: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    return [{**s, "amount": decimal_string(s["amount"], currency)} for s in shares]


def suggestion_view(s: dict[str, Any], currency: str) -> dict[str, Any]:
    return {
        **s,
        "allocations": shares_view(s["allocations"], currency),
        "write_offs": shares_view(s["write_offs"], currency),
        "unapplied": decimal_string(s["unapplied"], currency),
    }


def posting_view(p: dict[str, Any], currency: str) -> dict[str, Any]:
    return {
        **p,
        "amount": decimal_string(p["amount"], currency),
        "allocations": shares_view(p["allocations"], currency),
        "write_offs": shares_view(p["write_offs"], currency),
    }


def shares(raw: list[dict[str, Any]]) -> tuple[Share, ...]:
    return tuple(Share(r["invoice_id"], r["amount"]) for r in raw)


def _allocation(p: dict[str, Any], ccy: str) -> dict[str, Any]:
    """Named allocations, or the order the ledger allocates in (a part matched to an
    account without naming invoices)."""
    if p.get("allocation_order"):
        return allocation(p["allocation_order"], p.get("policy_id"))
    shares = [
        {"invoice_id": a["invoice_id"], "amount": decimal_string(a["amount"], ccy)}
        for a in p["allocations"]
    ]
    return {"allocations": shares}


def _identified(line: StatementLine, source: dict[str, Any]) -> str:
    """The clearance's reason: which line, and the day it was identified (plans stored
    before that day was kept name only the line)."""
    on = source.get("decided_on")
    return f"identified{f' on {on}' if on else ''}: statement line {line.line_id}"


def commands(line: StatementLine, p: dict[str, Any]) -> list[dict[str, Any]]:
    """The ledger commands of one planned posting, in order, as ``POST /v1/batches`` items:
    the payment, the write-offs of tolerated gaps, and (matched from suspense) the
    clearance that moves the money out of suspense naming the payment."""
    ccy = line.currency
    out: list[dict[str, Any]] = [
        {
            "op": "receive_payment",
            "account_id": p["account_id"],
            "body": {
                "payment_id": p["payment_id"],
                "amount": decimal_string(p["amount"], ccy),
                "received_on": line.value_date.isoformat(),
                "method": "bank_transfer",
                "reference": (line.end_to_end_id or line.entry_ref)[:500],
                **_allocation(p, ccy),
            },
        }
    ]
    for w in p["write_offs"]:
        body = {
            "write_off_id": w["write_off_id"],
            "invoice_id": w["invoice_id"],
            "amount": decimal_string(w["amount"], ccy),
            "reason": f"short payment within tolerance (statement line {line.line_id})",
            "written_off_on": line.value_date.isoformat(),
        }
        out.append({"op": "write_off", "account_id": p["account_id"], "body": body})
    source = p.get("from_suspense")
    if source:
        body = suspense.clearance(
            line,
            source,
            amount=p["amount"],
            to_account=p["account_id"],
            to_payment=p["payment_id"],
            reason=_identified(line, source),
        )
        out.append(
            {
                "op": "clear_suspense",
                "account_id": source["account"],
                "payment_id": source["payment_id"],
                "body": body,
            }
        )
    return out

"""Postings as stored with a line: what cash posts (or posted) to the ledger for it.

A plan is written with the line before the ledger is called, so a posting interrupted
half-way is finished later with the very same ids and amounts (the ledger replays what it
already has), never decided again on changed balances.
"""

from __future__ import annotations

from typing import Any

from cash.domain.matching import Share, Suggestion
from cash.domain.money import decimal_string
from cash.domain.statement import payment_id, write_off_id


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

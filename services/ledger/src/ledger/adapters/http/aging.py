"""Aging: open items by days past due, per account or grouped, with drill-down to invoices.

Figures come from the journal (``queries.positions_as_of``: no open item below zero), as
of an effective date and optionally as known at a recorded time, so an account's ``net`` is its
balance to the cent. Groups (currency, jurisdiction, broker) never add across currencies:
each group row is one (group, currency) pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.adapters.postgres.queries import ItemPosition
from ledger.domain.money import format_minor
from ledger.domain.reporting import BUCKETS, bucket

AMOUNTS = (*BUCKETS, "disputed", "total", "unapplied", "net")
GROUPS = {
    "account": "account_id",
    "currency": "currency",
    "jurisdiction": "jurisdiction",
    "broker": "broker_id",
}


@dataclass
class Figures:
    """Minor units per bucket, disputed, total, unapplied (net = total - unapplied)."""

    amounts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AMOUNTS, 0))
    accounts: int = 0

    def add_item(self, where: str, amount: int, disputed: bool) -> None:
        self.amounts[where] += amount
        self.amounts["total"] += amount
        self.amounts["net"] += amount
        if disputed:
            self.amounts["disputed"] += amount

    def add_credit(self, amount: int) -> None:
        self.amounts["unapplied"] += amount
        self.amounts["net"] -= amount

    def absorb(self, other: Figures) -> None:
        for k, v in other.amounts.items():
            self.amounts[k] += v
        self.accounts += max(1, other.accounts)

    def view(self, currency: str) -> dict[str, str]:
        return {k: format_minor(v, currency) for k, v in self.amounts.items()}


def per_account(
    items: Iterable[ItemPosition], unapplied: dict[str, int], as_of: date
) -> dict[str, Figures]:
    out: dict[str, Figures] = {}
    for i in items:
        out.setdefault(i.account_id, Figures()).add_item(
            bucket(as_of, i.due_date), i.open_amount, i.disputed
        )
    for account_id, credit in unapplied.items():
        if credit:  # an account in credit with nothing open is still in the report
            out.setdefault(account_id, Figures()).add_credit(credit)
    return out


def account_rows(
    figures: dict[str, Figures], info: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    rows = []
    for account_id in sorted(figures):
        a = info[account_id]
        rows.append(
            {
                "account_id": account_id,
                "name": a["name"],
                "currency": a["currency"],
                "jurisdiction": a["jurisdiction"],
                "broker_id": a["broker_id"],
                **figures[account_id].view(a["currency"]),
            }
        )
    return rows


def grouped(
    figures: dict[str, Figures], info: dict[str, dict[str, Any]], key: str
) -> dict[tuple[str, str], Figures]:
    """Figures summed per (group value, currency); accounts counted."""
    out: dict[tuple[str, str], Figures] = {}
    for account_id, f in figures.items():
        a = info[account_id]
        out.setdefault((a[key] or "", a["currency"]), Figures()).absorb(f)
    return out


def group_rows(groups: dict[tuple[str, str], Figures], by: str) -> list[dict[str, Any]]:
    return [
        {"group": by, "key": k or None, "currency": cur, "accounts": f.accounts, **f.view(cur)}
        for (k, cur), f in sorted(groups.items())
    ]


def totals(figures: dict[str, Figures], info: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    per_currency = grouped(figures, info, "currency")
    return [{"currency": cur, **f.view(cur)} for (cur, _), f in sorted(per_currency.items())]

"""Aging: open items by days past due, per account or grouped, with drill-down to invoices.

The figures per account come from ``positions.aging`` (bucketed in SQL by the one rule in
``money.aging``; no open item below zero), as of an effective date and optionally as known
at a recorded time, so an account's ``net`` is its balance to the cent. Here they are only
summed into groups and formatted. Groups (currency, jurisdiction, broker) never add across
currencies: each group row is one (group, currency) pair.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ledger.domain.money import formatter
from ledger.domain.reporting import BUCKETS

SUMMED = (*BUCKETS, "disputed", "total", "unapplied")  # what each account row carries
AMOUNTS = (*SUMMED, "net")  # net = total - unapplied
GROUPS = {
    "account": "account_id",
    "currency": "currency",
    "jurisdiction": "jurisdiction",
    "broker": "broker_id",
}
Row = Mapping[str, Any]  # a row of positions.aging, or a group's sums


def _amounts(figures: Row, currency: str) -> dict[str, str]:
    fmt = formatter(currency)
    out = {k: fmt(figures[k]) for k in SUMMED}
    out["net"] = fmt(figures["total"] - figures["unapplied"])
    return out


def account_rows(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """The answer's rows: each account with its amounts formatted in its currency."""
    out = []
    for r in rows:
        cur = r["currency"]
        fmt = formatter(cur)
        row = {
            "account_id": r["account_id"],
            "name": r["name"],
            "currency": cur,
            "jurisdiction": r["jurisdiction"],
            "broker_id": r["broker_id"],
        }
        for k in SUMMED:
            row[k] = fmt(r[k])
        row["net"] = fmt(r["total"] - r["unapplied"])
        out.append(row)
    return out


def grouped(rows: Iterable[Row], key: str) -> dict[tuple[str, str], dict[str, int]]:
    """Amounts summed per (group value, currency), with ``accounts`` counted."""
    out: dict[tuple[str, str], dict[str, int]] = {}
    for r in rows:
        cur = r["currency"]
        group = out.get((r[key] or "", cur))
        if group is None:
            group = out[(r[key] or "", cur)] = dict.fromkeys(SUMMED, 0) | {"accounts": 0}
        for k in SUMMED:
            group[k] += r[k]
        group["accounts"] += 1
    return out


def group_rows(groups: dict[tuple[str, str], dict[str, int]], by: str) -> list[dict[str, Any]]:
    return [
        {
            "group": by,
            "key": k or None,
            "currency": cur,
            "accounts": g["accounts"],
            **_amounts(g, cur),
        }
        for (k, cur), g in sorted(groups.items())
    ]


def totals(rows: Iterable[Row]) -> list[dict[str, Any]]:
    per_currency = grouped(rows, "currency")
    return [{"currency": cur, **_amounts(g, cur)} for (cur, _), g in sorted(per_currency.items())]

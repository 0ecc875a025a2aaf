"""Aging: open items by days past due, per account or grouped, with drill-down to invoices.

The figures per account come from ``positions.aging`` (bucketed in SQL by the one rule in
``money.aging``; no open item below zero), as of an effective date and optionally as known
at a recorded time, so an account's ``net`` is its balance to the cent. Here they are only
summed into groups and formatted. Groups (currency, jurisdiction, broker) never add across
currencies: each group row is one (group, currency) pair.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ledger.adapters.postgres.positions import ACCOUNT_COLUMNS, FIGURES
from ledger.domain.money import formatter

SUMMED = FIGURES  # what each account row carries: the buckets, disputed, total, unapplied
AMOUNTS = (*SUMMED, "net")  # net = total - unapplied
assert ACCOUNT_COLUMNS == ("account_id", "name", "currency", "jurisdiction", "broker_id")
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


def _memo(fmt: Callable[[int], str]) -> Callable[[int], str]:
    """``fmt`` remembering what it wrote: a report repeats amounts (zero above all)."""
    done: dict[int, str] = {}

    def formatted(minor: int) -> str:
        text = done.get(minor)
        if text is None:
            text = done[minor] = fmt(minor)
        return text

    return formatted


def account_rows(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """The answer's rows: each account with its amounts formatted in its currency.

    ``rows`` are ``positions.aging``'s, read by position (``ACCOUNT_COLUMNS`` then
    ``FIGURES``): a report has a row per account, 100,000 of them on a large ledger."""
    formats: dict[str, Callable[[int], str]] = {}
    total, unapplied = SUMMED.index("total"), SUMMED.index("unapplied")
    out = []
    for account_id, name, cur, jurisdiction, broker_id, *figures in rows:
        fmt = formats.get(cur) or formats.setdefault(cur, _memo(formatter(cur)))
        row = {
            "account_id": account_id,
            "name": name,
            "currency": cur,
            "jurisdiction": jurisdiction,
            "broker_id": broker_id,
        }
        row.update(zip(SUMMED, map(fmt, figures), strict=True))
        row["net"] = fmt(figures[total] - figures[unapplied])
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

"""Aging buckets and the bar chart drawn from them (pure: figures in, geometry out).

The ledger's aging report puts open amounts in five buckets by days past due. The chart
shows one bar per bucket for a currency; bar heights are proportional to the amounts and
the percentages shown under them are split by largest remainder, so they add up to 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from console.domain.money import parse

BUCKETS: tuple[tuple[str, str], ...] = (
    ("current", "Current"),
    ("days_1_30", "1-30 days"),
    ("days_31_60", "31-60 days"),
    ("days_61_90", "61-90 days"),
    ("days_over_90", "Over 90 days"),
)


@dataclass(frozen=True)
class Bar:
    bucket: str
    label: str
    amount: str  # as the ledger sent it
    height: int  # pixels, 0..max_height
    percent: int  # share of the total, whole percent; the bars' percents add up to 100


def percents(amounts: list[Decimal], whole: int = 100) -> list[int]:
    """Largest-remainder shares of ``whole``: they sum to ``whole`` when any amount is
    positive (negative amounts count as nothing); all zeros otherwise."""
    positive = [max(a, Decimal(0)) for a in amounts]
    total = sum(positive, Decimal(0))
    if total == 0:
        return [0 for _ in amounts]
    exact = [a * whole / total for a in positive]
    floors = [int(e) for e in exact]
    short = whole - sum(floors)
    by_remainder = sorted(range(len(exact)), key=lambda i: (exact[i] - floors[i], -i))
    for i in by_remainder[len(exact) - short :]:
        floors[i] += 1
    return floors


def bars(totals: dict[str, str], max_height: int = 160) -> list[Bar]:
    """The chart of one currency's totals row (bucket name -> decimal string)."""
    amounts = [parse(totals.get(name, "0")) for name, _ in BUCKETS]
    top = max((a for a in amounts if a > 0), default=Decimal(0))
    shares = percents(amounts)
    out = []
    for (name, label), amount, share in zip(BUCKETS, amounts, shares, strict=True):
        height = int(amount * max_height / top) if top > 0 and amount > 0 else 0
        out.append(Bar(name, label, totals.get(name, "0"), height, share))
    return out

"""Reporting rules: aging buckets, calendar months, collection KPIs, the management pack.

Pure functions of figures in minor units; the adapters fetch the figures and format the
answers. Every figure is per currency (and jurisdiction): nothing adds across currencies.

Definitions (the README repeats them):

- **Aging bucket** of an item on a day: days past its due date -- ``current`` (due that
  day or later), ``days_1_30``, ``days_31_60``, ``days_61_90``, ``days_over_90``.
- **Receivables** at a month end: the balance of ``1100-receivables`` on that day (open
  items, before unapplied credit).
- **Net billed** in a month: invoiced + adjusted (debit notes, increases) - credited
  (credit notes): the net credit sales.
- **DSO** (days sales outstanding, the period method): receivables at the month end /
  net billed in the month x days in the month; none when nothing was billed.
- **CEI** (collection effectiveness index): (opening receivables + net billed - closing
  receivables) / (opening receivables + net billed - closing current receivables) x 100;
  what was collectable that was collected. None when nothing was collectable.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ledger.domain.postings import Chart
from money.aging import BUCKETS as BUCKETS
from money.aging import bucket as bucket


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``YYYY-MM`` (ValueError otherwise)."""
        year, _, month = text.partition("-")
        if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
            raise ValueError(f"{text!r} is not a month as YYYY-MM")
        if not 1 <= int(month) <= 12:
            raise ValueError(f"{text!r}: month {month} is not 01-12")
        return cls(int(year), int(month))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def last(self) -> date:
        return date(self.year, self.month, self.days)

    def previous(self) -> Month:
        return Month.of(self.first - timedelta(days=1))

    def next(self) -> Month:
        return Month.of(self.last + timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months(start: Month, end: Month) -> list[Month]:
    out = [start]
    while out[-1] < end:
        out.append(out[-1].next())
    return out


# --- movements of a month --------------------------------------------------------------

# (ledger account, event type) -> (pack line, sign): each pack line is the movement of one
# chart account by the events that make it, so it ties to the journal by construction.
PACK_LINES: Mapping[tuple[str, str], tuple[str, int]] = {
    (Chart.PREMIUM_REVENUE, "InvoiceIssued"): ("invoiced", -1),
    (Chart.PREMIUM_REVENUE, "AdjustmentPosted"): ("adjusted", -1),
    (Chart.PREMIUM_REVENUE, "CreditNoteIssued"): ("credited", 1),
    (Chart.CASH_CLEARING, "PaymentReceived"): ("collected", 1),
    (Chart.CASH_CLEARING, "PaymentReversed"): ("reversed", -1),
    (Chart.BAD_DEBT, "InvoiceWrittenOff"): ("written_off", 1),
    (Chart.BAD_DEBT, "WriteOffRecovered"): ("recovered", -1),
    (Chart.REFUNDS_PAYABLE, "RefundIssued"): ("refunded", -1),
}
FLOWS = (
    "invoiced",
    "adjusted",
    "credited",
    "net_billed",
    "collected",
    "reversed",
    "net_collected",
    "written_off",
    "recovered",
    "refunded",
)

Key = tuple[str, str]  # (currency, jurisdiction)


def flows(
    movements: Iterable[tuple[Month, str, str, str, str, int]],
) -> dict[tuple[Month, Key], dict[str, int]]:
    """Pack lines per (month, (currency, jurisdiction)) from journal sums
    ``(month, currency, jurisdiction, ledger account, event type, amount)``."""
    out: dict[tuple[Month, Key], dict[str, int]] = {}
    for month, currency, jurisdiction, account, event_type, amount in movements:
        line = PACK_LINES.get((account, event_type))
        if line is None:
            continue
        row = out.setdefault((month, (currency, jurisdiction)), dict.fromkeys(FLOWS, 0))
        row[line[0]] += line[1] * amount
    for row in out.values():
        row["net_billed"] = row["invoiced"] + row["adjusted"] - row["credited"]
        row["net_collected"] = row["collected"] - row["reversed"]
    return out


# --- receivables at month ends -----------------------------------------------------------


@dataclass(frozen=True)
class ItemNow:
    """An item's open amount today (every posting so far) and its receivables movements
    per month after some day: what it was open at an earlier month end follows."""

    key: Key
    due_date: date
    open_now: int
    later: Mapping[Month, int] = field(default_factory=dict)  # month -> sum of postings

    def open_at(self, month_end: Month) -> int:
        """Open on the last day of ``month_end``: today's less what came after."""
        return self.open_now - sum(v for m, v in self.later.items() if m > month_end)


def aging_at(
    items: Iterable[ItemNow], month_ends: list[Month]
) -> dict[tuple[Month, Key], dict[str, int]]:
    """Buckets and ``total`` (the receivables balance) per month end and key.

    ``items`` must hold every item open now or moved after the first month end."""
    out: dict[tuple[Month, Key], dict[str, int]] = {}
    for item in items:
        for m in month_ends:
            amount = item.open_at(m)
            if amount == 0:
                continue
            row = out.setdefault((m, item.key), dict.fromkeys((*BUCKETS, "total"), 0))
            row[bucket(m.last, item.due_date)] += amount
            row["total"] += amount
    return out


# --- KPIs -------------------------------------------------------------------------------

_TENTH = Decimal("0.1")


def dso(receivables: int, net_billed: int, days: int) -> Decimal | None:
    if net_billed <= 0:
        return None
    return (Decimal(receivables) * days / net_billed).quantize(_TENTH, ROUND_HALF_UP)


def cei(opening: int, net_billed: int, closing: int, closing_current: int) -> Decimal | None:
    collectable = opening + net_billed - closing_current
    if collectable <= 0:
        return None
    collected = opening + net_billed - closing
    return (Decimal(collected) * 100 / collectable).quantize(_TENTH, ROUND_HALF_UP)


@dataclass(frozen=True)
class MonthKpis:
    month: Month
    key: Key
    flows: Mapping[str, int]
    opening: int  # receivables at the end of the month before
    closing: int  # receivables at the month end
    closing_current: int  # of which not yet due
    dso: Decimal | None
    cei: Decimal | None


def kpis(
    period: list[Month],
    moved: Mapping[tuple[Month, Key], Mapping[str, int]],
    aged: Mapping[tuple[Month, Key], Mapping[str, int]],
) -> list[MonthKpis]:
    """One row per month of ``period`` and key with any movement or receivables.

    ``aged`` must cover the month before the period too (the first opening balance)."""
    keys = sorted({k for (m, k) in (*moved, *aged) if m in period})
    none: Mapping[str, int] = {}
    out = []
    for m in period:
        for k in keys:
            f = moved.get((m, k), dict.fromkeys(FLOWS, 0))
            opening = aged.get((m.previous(), k), none).get("total", 0)
            end = aged.get((m, k), none)
            closing, current = end.get("total", 0), end.get("current", 0)
            if not any(f.values()) and not opening and not closing:
                continue
            out.append(
                MonthKpis(
                    month=m,
                    key=k,
                    flows=f,
                    opening=opening,
                    closing=closing,
                    closing_current=current,
                    dso=dso(closing, f["net_billed"], m.days),
                    cei=cei(opening, f["net_billed"], closing, current),
                )
            )
    return out

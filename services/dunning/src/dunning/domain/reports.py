"""Credit-control figures and aging by dunning level: pure functions of the projections.

Money stays in minor units of the account's currency; figures are summed per currency,
never across currencies. Aging buckets have the ledger's boundaries (days past the due
date: not yet due, 1-30, 31-60, 61-90, over 90), so the buckets of all levels together
equal the ledger's aging of the same accounts on the same day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from dunning.domain.aging import assess
from dunning.domain.arrangements import paid_between
from dunning.domain.credit import BlacklistEntry, utilisation
from dunning.domain.receivables import Receivables
from dunning.domain.state import DunningState
from money.aging import BUCKETS as BUCKETS
from money.aging import bucket as bucket

AGING_AMOUNTS = (*BUCKETS, "disputed", "total", "unapplied", "net")
STATUSES = ("open", "kept", "broken", "completed")


@dataclass(frozen=True)
class CreditLine:
    """One account's credit-control figures on a day (money in minor units)."""

    account_id: str
    level: int
    paused: bool
    suspended_policies: int
    balance: int  # open items less unapplied credit
    overdue: int  # past due and not disputed
    disputed: int  # open amount under dispute
    days_past_due: int  # from the oldest unpaid, undisputed due date
    credit_limit: int
    blacklisted: bool
    promises: dict[str, int]  # count per status (open, kept, broken)
    promised_open: int  # the amount of the open promises
    plans: dict[str, int]  # count per status (open, completed, broken)
    plan_outstanding: int  # installments of open plans not yet paid

    @property
    def available(self) -> int:
        return self.credit_limit - max(self.balance, 0)

    @property
    def over_limit(self) -> bool:
        return self.balance > self.credit_limit

    @property
    def utilisation(self) -> str:
        """Percent of the limit in use, two places ("37.50")."""
        return utilisation(self.balance, self.credit_limit)


def _counts(statuses: Iterable[str]) -> dict[str, int]:
    out = dict.fromkeys(STATUSES, 0)
    for s in statuses:
        out[s] += 1
    return out


def credit_line(
    rec: Receivables, state: DunningState, entry: BlacklistEntry | None, day: date
) -> CreditLine:
    overdue = assess(rec, day)
    disputed = sum(i.open_amount for i in rec.open_items() if i.disputed)
    open_plans = [p for p in state.plans.values() if p.status == "open"]
    outstanding = sum(
        max(0, sum(i.amount for i in p.installments) - paid_between(rec, p.agreed_on, None))
        for p in open_plans
    )
    return CreditLine(
        account_id=rec.account_id,
        level=state.level,
        paused=state.paused,
        suspended_policies=len(state.suspended),
        balance=rec.balance,
        overdue=overdue.amount,
        disputed=disputed,
        days_past_due=overdue.days_past_due,
        credit_limit=rec.credit_limit,
        blacklisted=entry is not None and entry.active_on(day),
        promises=_counts(p.status for p in state.promises.values()),
        promised_open=sum(p.amount for p in state.promises.values() if p.status == "open"),
        plans=_counts(p.status for p in state.plans.values()),
        plan_outstanding=outstanding,
    )


MONEY_TOTALS = ("balance", "overdue", "disputed", "credit_limit", "available")
COUNT_TOTALS = ("over_limit", "blacklisted", "paused")


@dataclass
class CreditTotals:
    """The credit-control figures of one currency's accounts, summed."""

    accounts: int = 0
    money: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MONEY_TOTALS, 0))
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_TOTALS, 0))
    promises: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    plans: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    def add(self, line: CreditLine) -> None:
        self.accounts += 1
        for k in MONEY_TOTALS:
            self.money[k] += getattr(line, k)
        for k in COUNT_TOTALS:
            self.counts[k] += bool(getattr(line, k))
        for k in STATUSES:
            self.promises[k] += line.promises[k]
            self.plans[k] += line.plans[k]

    @property
    def utilisation(self) -> str:
        return utilisation(self.money["balance"], self.money["credit_limit"])


def credit_totals(lines: Iterable[tuple[str, CreditLine]]) -> dict[str, CreditTotals]:
    """Totals per currency of (currency, line) pairs."""
    out: dict[str, CreditTotals] = {}
    for currency, line in lines:
        out.setdefault(currency, CreditTotals()).add(line)
    return dict(sorted(out.items()))


@dataclass
class AgingFigures:
    """Minor units per bucket, disputed, total, unapplied and net (total - unapplied)."""

    amounts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AGING_AMOUNTS, 0))
    accounts: int = 0

    def add_account(self, rec: Receivables, day: date) -> None:
        self.accounts += 1
        for item in rec.open_items():
            amount = item.open_amount
            self.amounts[bucket(day, item.due_date)] += amount
            self.amounts["total"] += amount
            if item.disputed:
                self.amounts["disputed"] += amount
        self.amounts["unapplied"] += rec.unapplied
        self.amounts["net"] = self.amounts["total"] - self.amounts["unapplied"]

    def absorb(self, other: AgingFigures) -> None:
        self.accounts += other.accounts
        for k, v in other.amounts.items():
            self.amounts[k] += v


def aging_by_level(
    accounts: Iterable[tuple[Receivables, int]], day: date
) -> dict[tuple[int, str], AgingFigures]:
    """Aging on ``day`` per (dunning level, currency) of (receivables, level) pairs, the
    receivables as they stood on ``day``."""
    out: dict[tuple[int, str], AgingFigures] = {}
    for rec, level in accounts:
        out.setdefault((level, rec.currency), AgingFigures()).add_account(rec.as_of(day), day)
    return dict(sorted(out.items()))


def aging_totals(groups: dict[tuple[int, str], AgingFigures]) -> dict[str, AgingFigures]:
    """The level groups summed per currency."""
    out: dict[str, AgingFigures] = {}
    for (_, currency), figures in groups.items():
        out.setdefault(currency, AgingFigures()).absorb(figures)
    return dict(sorted(out.items()))

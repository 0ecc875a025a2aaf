"""What a policy should have billed for a period, member by member.

A product's annual premium is split over the periods of the policy year by their days
(largest remainder, so a full year's parts sum to the annual premium). A member covered
for part of a period pays that period's share split again by days covered and not
covered, so what is billed plus what is credited on a termination is the period's share.
Revisions add to the period as billing staff entered them; tax is charged per product on
the period's net premium.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from billing.domain.calendar import Period
from billing.domain.money import split, tax_on, to_minor
from billing.domain.state import Policy, Term


class Key(NamedTuple):
    """One billed amount: a member's premium in a tier, a revision or a product's tax."""

    period_start: date
    product: str
    kind: str  # "premium", "revision" or "tax"
    tier: str = ""
    member_id: str = ""


@dataclass
class Allocations:
    """Per-period shares of annual premiums, computed once per term and premium."""

    cache: dict[tuple[date, int], dict[date, int]] = field(default_factory=dict)

    def share(self, policy: Policy, term: Term, annual: int, period: Period) -> int:
        got = self.cache.get((term.start, annual))
        if got is None:
            year = policy.year_periods(term)
            got = dict(
                zip((p.start for p in year), split(annual, [p.days for p in year]), strict=True)
            )
            self.cache[(term.start, annual)] = got
        return got[period.start]


def covered_share(share: int, period: Period, covered: int) -> int:
    """The part of a period's share earned by ``covered`` days of it."""
    if covered >= period.days:
        return share
    if covered <= 0:
        return 0
    return split(share, [covered, period.days - covered])[0]


def expected(policy: Policy, term: Term, period: Period, alloc: Allocations) -> dict[Key, int]:
    """Every amount the policy should have billed for ``period`` (zeros left out)."""
    out: dict[Key, int] = {}
    last = min(term.end, policy.cover_end)
    for product in term.products:
        net = 0
        for member in policy.members.values():
            days: dict[str, int] = defaultdict(int)
            for span in member.spans:
                end = min(span.end, last) if span.end is not None else last
                days[span.tier] += period.overlap(max(span.start, term.start), end)
            for tier, covered in days.items():
                annual = product.rate_for(tier)
                if not covered or annual is None:
                    continue
                amount = covered_share(alloc.share(policy, term, annual, period), period, covered)
                if amount:
                    out[Key(period.start, product.code, "premium", tier, member.member_id)] = amount
                    net += amount
        for r in policy.revisions.values():
            if r.period_start == period.start and r.product == product.code:
                key = Key(period.start, product.code, "revision")
                amount = to_minor(r.amount, policy.currency)
                out[key] = out.get(key, 0) + amount
                net += amount
        tax = tax_on(net, product.tax_rate) if product.tax_rate else 0
        if tax:
            out[Key(period.start, product.code, "tax")] = tax
    return {k: v for k, v in out.items() if v}

"""Matching a receipt to open invoices, with a score.

Pure: the application gathers the candidates (accounts whose invoice or policy references
appear in the remittance information, or whose name is like the payer's, with their open
items from the ledger) and this module ranks what could be done with the money.

A suggestion's score (0-100) adds up:

- **reference** (50): the invoices to pay are named in the remittance information
  (invoice id or policy id);
- **amount** (up to 30): exactly what is open (30), short by no more than the
  jurisdiction's tolerance (28, the gap written off), more than is open (25, the rest kept
  as unapplied credit) or a part payment (25);
- **payer name** (up to 20): the similarity of the payer's name to the account's.

At or above the threshold the best suggestion is posted, unless a second one scores the
same (ambiguous: a person decides). Below, the line waits for review with the suggestions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cash.domain.money import decimal_string, places

REFERENCE_POINTS = 50
EXACT_POINTS = 30
TOLERATED_POINTS = 28
OVER_POINTS = 25
PART_POINTS = 25
NAME_POINTS = 20


@dataclass(frozen=True)
class OpenItem:
    invoice_id: str
    due_date: date
    open_amount: int
    policy_id: str | None = None


@dataclass(frozen=True)
class Candidate:
    """An account that may have sent the money, as the ledger has it now."""

    account_id: str
    name: str
    currency: str
    jurisdiction: str
    items: tuple[OpenItem, ...]
    name_score: float = 0.0  # 0..1: how like the payer's name the account's name is
    referenced: frozenset[str] = frozenset()  # its invoice/policy ids in the remittance, upper


@dataclass(frozen=True)
class Share:
    invoice_id: str
    amount: int


@dataclass(frozen=True)
class Suggestion:
    """Post ``allocations`` to ``account_id``, write off ``write_offs``; ``unapplied`` stays
    on the account as credit."""

    account_id: str
    score: int
    allocations: tuple[Share, ...]
    write_offs: tuple[Share, ...] = ()
    unapplied: int = 0
    reasons: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class MatchPolicy:
    """``tolerance``: per jurisdiction, the short payment written off, as an amount in the
    account's currency (``Decimal("5.00")``: 5.00 SGD, 5 JPY)."""

    threshold: int = 75
    tolerance: Mapping[str, Decimal] = field(default_factory=dict)

    def tolerance_for(self, jurisdiction: str, currency: str) -> int:
        """In minor units of ``currency``, rounded down."""
        value = self.tolerance.get(jurisdiction, Decimal(0))
        return int(value.scaleb(places(currency)))


@dataclass(frozen=True)
class Decision:
    post: Suggestion | None  # what to post now (None: review)
    suggestions: tuple[Suggestion, ...]  # ranked, best first


def allocate(
    amount: int, items: Sequence[OpenItem], tolerance: int
) -> tuple[tuple[Share, ...], tuple[Share, ...], int]:
    """``amount`` over ``items`` oldest due first. Returns (allocations, write-offs,
    unapplied): a shortfall of at most ``tolerance`` is written off on what stays open."""
    left = amount
    shares: list[Share] = []
    gaps: list[Share] = []
    for item in sorted(items, key=lambda i: (i.due_date, i.invoice_id)):
        take = min(left, item.open_amount)
        if take > 0:
            shares.append(Share(item.invoice_id, take))
        left -= take
        if item.open_amount > take:
            gaps.append(Share(item.invoice_id, item.open_amount - take))
    shortfall = sum(g.amount for g in gaps)
    write_offs = tuple(gaps) if 0 < shortfall <= tolerance else ()
    return tuple(shares), write_offs, left


def _suggest(
    amount: int,
    currency: str,
    c: Candidate,
    items: Sequence[OpenItem],
    by_reference: bool,
    tolerance: int,
) -> Suggestion | None:
    if not items:
        return None
    allocations, write_offs, unapplied = allocate(amount, items, tolerance)
    due = sum(i.open_amount for i in items)
    reasons: list[str] = []
    score = 0
    if by_reference:
        score += REFERENCE_POINTS
        reasons.append("remittance names " + ", ".join(sorted(c.referenced)))
    if amount == due:
        score += EXACT_POINTS
        reasons.append(f"amount equals the open {decimal_string(due, currency)}")
    elif write_offs:
        score += TOLERATED_POINTS
        gap = decimal_string(due - amount, currency)
        reasons.append(f"short by {gap}, within the {c.jurisdiction} tolerance: written off")
    elif unapplied:
        score += OVER_POINTS
        reasons.append(f"{decimal_string(unapplied, currency)} over: kept as unapplied credit")
    else:
        score += PART_POINTS
        reasons.append(f"part payment of the open {decimal_string(due, currency)}")
    if c.name_score > 0:
        score += round(NAME_POINTS * min(c.name_score, 1.0))
        reasons.append(f"payer name {round(100 * c.name_score)}% like {c.name!r}")
    return Suggestion(
        c.account_id, min(score, 100), allocations, write_offs, unapplied, tuple(reasons)
    )


def suggestions_for(
    amount: int, currency: str, c: Candidate, policy: MatchPolicy
) -> list[Suggestion]:
    """What could be done with ``amount`` on one candidate account."""
    if c.currency != currency:
        return []
    tolerance = policy.tolerance_for(c.jurisdiction, currency)
    refs = c.referenced
    named = [
        i
        for i in c.items
        if i.invoice_id.upper() in refs or (i.policy_id and i.policy_id.upper() in refs)
    ]
    if named:
        found = _suggest(amount, currency, c, named, True, tolerance)
        return [found] if found else []
    if not c.items:  # a known payer with nothing open: the money is credit on the account
        reason = f"payer name {round(100 * c.name_score)}% like {c.name!r}; nothing open"
        score = round(NAME_POINTS * c.name_score)
        return [Suggestion(c.account_id, score, (), (), amount, (reason,))]
    exact = [i for i in c.items if i.open_amount == amount]
    plans = [exact[:1]] if exact else []
    if len(c.items) > 1 or not exact:
        plans.append(list(c.items))
    made = (_suggest(amount, currency, c, items, False, tolerance) for items in plans)
    return [s for s in made if s is not None]


def decide(
    amount: int, currency: str, candidates: Sequence[Candidate], policy: MatchPolicy
) -> Decision:
    ranked = sorted(
        (s for c in candidates for s in suggestions_for(amount, currency, c, policy)),
        key=lambda s: (-s.score, s.account_id, len(s.allocations)),
    )
    best = ranked[0] if ranked else None
    if best is None or best.score < policy.threshold:
        return Decision(None, tuple(ranked[:10]))
    tied = [s for s in ranked if s.score == best.score and s != best]
    return Decision(None if tied else best, tuple(ranked[:10]))

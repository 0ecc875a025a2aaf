"""A policy's state, folded from its events.

``evolve`` updates the state it is given (a policy with thousands of members is folded
from thousands of events; copying the member table per event would be quadratic). A state
is only ever built by :func:`fold` from stored events, never shared while it changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from billing.domain import events as ev
from billing.domain.calendar import ONE_DAY, Frequency, Period, periods, year_end
from billing.domain.money import to_minor


@dataclass(frozen=True)
class Product:
    code: str
    description: str
    rates: dict[str, int]  # tier -> annual premium in minor units; "*": any tier
    tax_label: str
    tax_rate: Fraction

    def rate_for(self, tier: str) -> int | None:
        return self.rates.get(tier, self.rates.get("*"))


@dataclass(frozen=True)
class Term:
    number: int
    start: date
    end: date
    products: tuple[Product, ...]

    def product(self, code: str) -> Product | None:
        return next((p for p in self.products if p.code == code), None)


@dataclass(frozen=True)
class Span:
    tier: str
    start: date
    end: date | None  # inclusive; None: open


@dataclass
class Member:
    member_id: str
    name: str
    spans: list[Span]

    @property
    def start(self) -> date:
        return self.spans[0].start

    @property
    def end(self) -> date | None:
        return self.spans[-1].end

    def tier_on(self, day: date) -> str | None:
        for s in self.spans:
            if s.start <= day and (s.end is None or day <= s.end):
                return s.tier
        return None


@dataclass
class Policy:
    policy_id: str
    account_id: str
    broker_id: str | None
    currency: str
    jurisdiction: str
    frequency: Frequency
    billing_day: int
    terms: list[Term]
    members: dict[str, Member] = field(default_factory=dict)
    terminated_on: date | None = None
    revisions: dict[str, ev.PremiumRevised] = field(default_factory=dict)
    version: int = 0

    @property
    def status(self) -> str:
        return "terminated" if self.terminated_on is not None else "active"

    @property
    def cover_end(self) -> date:
        """The last day anything is covered: the last term's end, or the termination."""
        last = self.terms[-1].end
        return min(last, self.terminated_on) if self.terminated_on else last

    def term_on(self, day: date) -> Term | None:
        return next((t for t in self.terms if t.start <= day <= t.end), None)

    def year_periods(self, term: Term) -> list[Period]:
        """The periods of the policy year that starts with the term."""
        return periods(term.start, year_end(term.start), self.frequency, self.billing_day)

    def billing_periods(self, term: Term) -> list[Period]:
        """The periods of the term's policy year that overlap the term."""
        return [p for p in self.year_periods(term) if p.start <= term.end]


def product_of(terms: ev.ProductTerms, currency: str) -> Product:
    return Product(
        code=terms.product,
        description=terms.description,
        rates={r.tier: to_minor(r.annual_premium, currency) for r in terms.rates},
        tax_label=terms.tax_label,
        tax_rate=Fraction(terms.tax_rate),
    )


def term_of(
    number: int, start: date, end: date, products: Iterable[ev.ProductTerms], currency: str
) -> Term:
    return Term(number, start, end, tuple(product_of(p, currency) for p in products))


def evolve(state: Policy | None, event: ev.Event) -> Policy:
    if isinstance(event, ev.PolicyCreated):
        return Policy(
            policy_id=event.policy_id,
            account_id=event.account_id,
            broker_id=event.broker_id,
            currency=event.currency,
            jurisdiction=event.jurisdiction,
            frequency=event.frequency,
            billing_day=event.billing_day,
            terms=[term_of(1, event.term_start, event.term_end, event.products, event.currency)],
            version=1,
        )
    assert state is not None, f"{event.event_type()} before PolicyCreated"
    state.version += 1
    match event:
        case ev.MemberEnrolled():
            span = Span(event.tier, event.start, event.end)
            state.members[event.member_id] = Member(event.member_id, event.name, [span])
        case ev.MemberTierChanged():
            m = state.members[event.member_id]
            last = m.spans[-1]
            m.spans[-1] = Span(last.tier, last.start, event.changed_on - ONE_DAY)
            m.spans.append(Span(event.tier, event.changed_on, last.end))
        case ev.MemberTerminated():
            m = state.members[event.member_id]
            kept = [s for s in m.spans if s.start <= event.end] or [m.spans[0]]
            kept[-1] = Span(kept[-1].tier, kept[-1].start, event.end)
            m.spans = kept
        case ev.PolicyRenewed():
            state.terms.append(
                term_of(
                    event.term_no, event.term_start, event.term_end, event.products, state.currency
                )
            )
        case ev.PolicyTerminated():
            state.terminated_on = event.terminated_on
        case ev.PremiumRevised():
            state.revisions[event.revision_id] = event
    return state


def fold(events: Iterable[ev.Event]) -> Policy | None:
    state: Policy | None = None
    for event in events:
        state = evolve(state, event)
    return state


def decimal_rate(rate: Fraction) -> Decimal:
    return Decimal(rate.numerator) / Decimal(rate.denominator)

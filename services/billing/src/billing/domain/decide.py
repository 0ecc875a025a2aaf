"""Commands of a policy and ``decide``: the rules that turn a command into events.

Commands are frozen and carry everything the rules need (dates, ids); ``decide`` reads
no clock and does no I/O. A command that would change nothing (the same enrolment sent
again) decides no events, so retries are harmless.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from billing.domain import errors as err
from billing.domain import events as ev
from billing.domain.calendar import ONE_DAY, Frequency, year_end
from billing.domain.money import to_minor
from billing.domain.state import Member, Policy, Term, term_of


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    policy_id: str
    reason: str | None = None


class CreatePolicy(Command):
    account_id: str
    broker_id: str | None = None
    currency: str
    jurisdiction: str
    frequency: Frequency
    billing_day: int | None = None
    term_start: date
    term_end: date | None = None
    products: tuple[ev.ProductTerms, ...]


class EnrolMember(Command):
    member_id: str
    name: str
    tier: str
    start: date
    end: date | None = None


class ChangeTier(Command):
    member_id: str
    tier: str
    changed_on: date


class TerminateMember(Command):
    member_id: str
    end: date


class RenewPolicy(Command):
    term_start: date | None = None
    term_end: date | None = None
    products: tuple[ev.ProductTerms, ...]


class TerminatePolicy(Command):
    terminated_on: date
    reason: str


class RevisePremium(Command):
    revision_id: str
    period_start: date
    product: str
    amount: Decimal
    reason: str


def _products(products: tuple[ev.ProductTerms, ...], currency: str) -> None:
    if not products:
        raise err.InvalidPolicy("a policy needs at least one product", field="products")
    codes = [p.product for p in products]
    if len(set(codes)) != len(codes):
        raise err.InvalidPolicy("each product may appear once", field="products")
    for n, p in enumerate(products):
        if not p.rates:
            raise err.InvalidPolicy(f"{p.product} has no rate", field=f"products[{n}].rates")
        tiers = [r.tier for r in p.rates]
        if len(set(tiers)) != len(tiers):
            raise err.InvalidPolicy("each tier may appear once", field=f"products[{n}].rates")
        for k, r in enumerate(p.rates):
            field = f"products[{n}].rates[{k}].annual_premium"
            if to_minor(r.annual_premium, currency, field=field) < 0:
                raise err.InvalidAmount("a premium cannot be negative", field=field)
        if not 0 <= p.tax_rate < 1:
            raise err.InvalidPolicy(
                "a tax rate is a fraction below 1", field=f"products[{n}].tax_rate"
            )


def _term_end(start: date, end: date | None) -> date:
    last = year_end(start)
    if end is None:
        return last
    if end < start or end > last:
        raise err.InvalidPolicy(
            f"a term runs from its start to at most one year later ({last})", field="term_end"
        )
    return end


def _priced(term: Term, tier: str) -> bool:
    return any(p.rate_for(tier) is not None for p in term.products)


def _open(state: Policy | None) -> Policy:
    if state is None:
        raise err.NotFound("no such policy", field="policy_id")
    if state.terminated_on is not None:
        raise err.PolicyClosed(f"the policy was terminated on {state.terminated_on}")
    return state


def decide(c: Command, state: Policy | None) -> list[ev.Event]:
    if isinstance(c, CreatePolicy):
        return _create(c, state)
    policy = _open(state)
    base = {"policy_id": c.policy_id, "reason": c.reason}
    match c:
        case EnrolMember():
            existing = policy.members.get(c.member_id)
            event = ev.MemberEnrolled(
                **base, member_id=c.member_id, name=c.name, tier=c.tier, start=c.start, end=c.end
            )
            if existing is not None:
                span = existing.spans[0]
                if (existing.name, span.tier, span.start, existing.end) == (
                    c.name,
                    c.tier,
                    c.start,
                    c.end,
                ):
                    return []
                raise err.InvalidMember(
                    f"member {c.member_id} is already enrolled; change the tier or terminate",
                    field="member_id",
                )
            term = policy.term_on(c.start)
            if term is None or c.start > policy.cover_end:
                raise err.InvalidMember(f"{c.start} is outside the policy's cover", field="start")
            if c.end is not None and c.end < c.start:
                raise err.InvalidMember("end is before start", field="end")
            if not _priced(term, c.tier):
                raise err.InvalidMember(f"no product has a rate for tier {c.tier}", field="tier")
            return [event]
        case ChangeTier():
            member = _member(policy, c.member_id)
            current = member.spans[-1]
            if current.tier == c.tier and member.tier_on(c.changed_on) == c.tier:
                return []
            if c.changed_on <= current.start or (
                member.end is not None and c.changed_on > member.end
            ):
                raise err.InvalidMember(
                    f"a tier change falls after {current.start} and within the member's cover",
                    field="changed_on",
                )
            term = policy.term_on(c.changed_on)
            if term is None or not _priced(term, c.tier):
                raise err.InvalidMember(f"no product has a rate for tier {c.tier}", field="tier")
            return [
                ev.MemberTierChanged(
                    **base, member_id=c.member_id, tier=c.tier, changed_on=c.changed_on
                )
            ]
        case TerminateMember():
            member = _member(policy, c.member_id)
            if member.end == c.end:
                return []
            if c.end < member.start - ONE_DAY:
                raise err.InvalidMember(f"the member joined on {member.start}", field="end")
            return [ev.MemberTerminated(**base, member_id=c.member_id, end=c.end)]
        case RenewPolicy():
            last = policy.terms[-1]
            start = c.term_start or last.end + ONE_DAY
            if start != last.end + ONE_DAY:
                raise err.InvalidRenewal(
                    f"the renewal must start on {last.end + ONE_DAY}, the day after the term ends",
                    field="term_start",
                )
            _products(c.products, policy.currency)
            end = _term_end(start, c.term_end)
            term_of(len(policy.terms) + 1, start, end, c.products, policy.currency)
            return [
                ev.PolicyRenewed(
                    **base,
                    term_no=len(policy.terms) + 1,
                    term_start=start,
                    term_end=end,
                    products=c.products,
                )
            ]
        case TerminatePolicy():
            first = policy.terms[0].start
            if not first - ONE_DAY <= c.terminated_on <= policy.terms[-1].end:
                raise err.InvalidPolicy(
                    "the termination falls outside the policy's terms", field="terminated_on"
                )
            return [
                ev.PolicyTerminated(
                    policy_id=c.policy_id, terminated_on=c.terminated_on, reason=c.reason
                )
            ]
        case RevisePremium():
            return _revise(c, policy)
    raise TypeError(f"unknown command {type(c).__name__}")  # pragma: no cover


def _create(c: CreatePolicy, state: Policy | None) -> list[ev.Event]:
    day = c.billing_day or c.term_start.day
    event = ev.PolicyCreated(
        policy_id=c.policy_id,
        account_id=c.account_id,
        broker_id=c.broker_id,
        currency=c.currency,
        jurisdiction=c.jurisdiction,
        frequency=c.frequency,
        billing_day=day,
        term_start=c.term_start,
        term_end=_term_end(c.term_start, c.term_end),
        products=c.products,
        reason=c.reason,
    )
    if state is not None:
        raise err.IdempotencyConflict(f"policy {c.policy_id} already exists", field="policy_id")
    if not 1 <= day <= 31:
        raise err.InvalidPolicy("a billing day is 1 to 31", field="billing_day")
    _products(c.products, c.currency)
    return [event]


def _member(policy: Policy, member_id: str) -> Member:
    member = policy.members.get(member_id)
    if member is None:
        raise err.NotFound(f"no member {member_id} on policy {policy.policy_id}", field="member_id")
    return member


def _revise(c: RevisePremium, policy: Policy) -> list[ev.Event]:
    event = ev.PremiumRevised(
        policy_id=c.policy_id,
        revision_id=c.revision_id,
        period_start=c.period_start,
        product=c.product,
        amount=c.amount,
        reason=c.reason,
    )
    earlier = policy.revisions.get(c.revision_id)
    if earlier is not None:
        if earlier == event:
            return []
        raise err.IdempotencyConflict(
            f"revision {c.revision_id} was made with other values", field="revision_id"
        )
    if to_minor(c.amount, policy.currency) == 0:
        raise err.InvalidAmount("a revision is not zero", field="amount")
    term = policy.term_on(c.period_start)
    if term is None or all(p.start != c.period_start for p in policy.billing_periods(term)):
        raise err.NotFound(f"no billing period starts on {c.period_start}", field="period_start")
    if term.product(c.product) is None:
        raise err.NotFound(f"the term has no product {c.product}", field="product")
    return [event]

"""Premiums and documents from events alone (no database): given events, when planning,
then these invoices and notes; and the rounding invariants as properties."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.domain import decide as cmd
from billing.domain import errors as err
from billing.domain import events as ev
from billing.domain.calendar import Frequency
from billing.domain.documents import Billed, Document, plan
from billing.domain.premium import Allocations, covered_share, expected
from billing.domain.state import Policy, evolve, fold

P = "P1"


def product(annual: str = "1200.00", tax: str = "0") -> ev.ProductTerms:
    return ev.ProductTerms(
        product="GM",
        description="Group medical",
        rates=(ev.TierRate(tier="A", annual_premium=Decimal(annual)),),
        tax_rate=Decimal(tax),
    )


def created(
    start: date = date(2026, 1, 1),
    frequency: Frequency = Frequency.monthly,
    annual: str = "1200.00",
) -> ev.PolicyCreated:
    return ev.PolicyCreated(
        policy_id=P,
        account_id="A1",
        currency="SGD",
        jurisdiction="SG",
        frequency=frequency,
        billing_day=start.day,
        term_start=start,
        term_end=start.replace(year=start.year + 1) - timedelta(days=1),
        products=(product(annual),),
    )


def member(member_id: str, start: date, end: date | None = None) -> ev.MemberEnrolled:
    return ev.MemberEnrolled(
        policy_id=P, member_id=member_id, name=member_id, tier="A", start=start, end=end
    )


def record(policy: Policy, billed: Billed, docs: list[Document]) -> None:
    """What the store does with planned documents."""
    for d in docs:
        if d.kind == "invoice":
            billed.invoices[d.period.start] = (d.document_id, d.issued_on)
        for k, v in d.deltas.items():
            period = billed.amounts.setdefault(k.period_start, {})
            period[k] = period.get(k, 0) + v


def test_a_full_year_of_monthly_invoices_sums_to_the_annual_premium() -> None:
    policy = fold([created(annual="1000.01"), member("M1", date(2026, 1, 1))])
    assert policy is not None
    docs = plan(policy, Billed(), as_of=date(2026, 12, 31), on=date(2026, 12, 31), terms_days=30)
    assert len(docs) == 12
    assert sum(d.amount for d in docs) == 100_001
    assert {d.due_date - d.issued_on for d in docs if d.due_date} == {timedelta(days=30)}


def test_nothing_is_invoiced_for_a_period_nobody_is_covered_in() -> None:
    policy = fold([created(), member("M1", date(2026, 3, 10))])
    assert policy is not None
    docs = plan(policy, Billed(), as_of=date(2026, 3, 31), on=date(2026, 3, 31), terms_days=0)
    assert [d.document_id for d in docs] == ["P1-20260301"]
    assert docs[0].amount == 7_233  # 22 of 31 days of 101.92 (March's share of 1200.00)


def test_a_tier_change_mid_period_bills_each_tier_for_its_days() -> None:
    two_tiers = ev.ProductTerms(
        product="GM",
        description="Group medical",
        rates=(
            ev.TierRate(tier="A", annual_premium=Decimal("3650.00")),
            ev.TierRate(tier="B", annual_premium=Decimal("7300.00")),
        ),
    )
    policy = fold(
        [created().model_copy(update={"products": (two_tiers,)}), member("M1", date(2026, 1, 1))]
    )
    assert policy is not None
    billed = Billed()
    record(
        policy,
        billed,
        plan(policy, billed, as_of=date(2026, 1, 1), on=date(2026, 1, 1), terms_days=0),
    )
    for e in cmd.decide(
        cmd.ChangeTier(policy_id=P, member_id="M1", tier="B", changed_on=date(2026, 1, 11)), policy
    ):
        policy = evolve(policy, e)
    [note] = plan(policy, billed, as_of=None, on=date(2026, 1, 20), terms_days=0)
    assert (note.kind, note.amount) == ("debit_note", 21_000)  # 21 days at 10.00 more a day
    assert note.issued_on == date(2026, 1, 20)


def test_commands_that_change_nothing_decide_nothing_and_bad_ones_are_refused() -> None:
    policy = fold([created(), member("M1", date(2026, 1, 1))])
    assert policy is not None
    same = cmd.EnrolMember(policy_id=P, member_id="M1", name="M1", tier="A", start=date(2026, 1, 1))
    assert cmd.decide(same, policy) == []
    with pytest.raises(err.InvalidMember) as e:
        cmd.decide(same.model_copy(update={"tier": "Z", "member_id": "M2"}), policy)
    assert e.value.field == "tier"
    with pytest.raises(err.InvalidMember):
        cmd.decide(same.model_copy(update={"member_id": "M3", "start": date(2027, 6, 1)}), policy)
    with pytest.raises(err.NotFound):
        cmd.decide(
            cmd.TerminateMember(policy_id=P, member_id="nobody", end=date(2026, 2, 1)), policy
        )
    with pytest.raises(err.InvalidRenewal):
        cmd.decide(
            cmd.RenewPolicy(policy_id=P, term_start=date(2027, 1, 2), products=(product(),)), policy
        )
    create = cmd.CreatePolicy(
        policy_id="P2",
        account_id="A",
        currency="SGD",
        jurisdiction="SG",
        frequency=Frequency.monthly,
        term_start=date(2026, 1, 1),
        products=(product(),),
    )
    with pytest.raises(err.InvalidPolicy):
        cmd.decide(create.model_copy(update={"term_end": date(2027, 1, 1)}), None)
    with pytest.raises(err.InvalidAmount):
        cmd.decide(create.model_copy(update={"products": (product("10.001"),)}), None)


@settings(max_examples=200, deadline=None)
@given(
    annual=st.integers(0, 10**9),
    start=st.dates(date(2000, 1, 1), date(2100, 12, 31)),
    frequency=st.sampled_from(list(Frequency)),
    leave=st.integers(0, 366),
)
def test_billed_less_credited_is_the_earned_part_and_a_year_sums_to_the_annual_premium(
    annual: int, start: date, frequency: Frequency, leave: int
) -> None:
    policy = fold([created(start, frequency, str(Decimal(annual).scaleb(-2))), member("M1", start)])
    assert policy is not None
    term = policy.terms[0]
    alloc = Allocations()
    full = {p: sum(expected(policy, term, p, alloc).values()) for p in policy.billing_periods(term)}
    assert sum(full.values()) == annual
    end = min(start + timedelta(days=leave), term.end)
    evolve(policy, ev.MemberTerminated(policy_id=P, member_id="M1", end=end))
    earned_total = 0
    for period, billed in full.items():
        earned = sum(expected(policy, term, period, alloc).values())
        assert 0 <= earned <= billed  # the credit is never more than was billed
        assert earned == covered_share(billed, period, period.overlap(start, end))
        earned_total += earned
    days = (end - start).days + 1
    exact = Fraction(annual * days, (term.end - term.start).days + 1)
    assert abs(earned_total - exact) <= len(full)  # by days, within a unit per period

"""Agreements (effective dating, known-at, first-year vs renewal), maker-checker, statements."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from commission.domain.agreements import Agreement, Basis, ProductRate, select_agreement
from commission.domain.bank import BankDetails
from commission.domain.brokers import (
    ChangeStatus,
    decide_change,
    request_change,
    same_identity,
)
from commission.domain.errors import ChangeNotPending, InvalidPeriod, SameUserApproval
from commission.domain.settlement import Period, build_statement

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def agreement(aid: str, eff: str, rate: str, recorded: datetime = T0) -> Agreement:
    r = Decimal(rate)
    return Agreement(
        aid,
        "B",
        date.fromisoformat(eff),
        Basis.COLLECTION,
        (ProductRate("motor", r, r / 2), ProductRate("*", Decimal("0.01"), Decimal("0.01"))),
        recorded,
    )


def test_the_agreement_effective_on_the_issue_date_and_known_by_then_prices_the_line() -> None:
    a = agreement("A", "2026-01-01", "0.10")
    b = agreement("B", "2026-11-15", "0.12")
    late = agreement("C", "2026-01-01", "0.50", recorded=datetime(2026, 12, 1, tzinfo=UTC))
    known = datetime(2026, 11, 30, tzinfo=UTC)
    assert select_agreement([a, b, late], date(2026, 11, 5), known) == a
    assert select_agreement([a, b, late], date(2026, 11, 20), known) == b
    assert select_agreement([a, b], date(2025, 12, 31), known) is None
    # recorded later, back-dated: never rewrites what was known when the invoice came in
    assert select_agreement([late], date(2026, 11, 5), known) is None


def test_first_year_and_renewal_rates_come_from_the_policy_year() -> None:
    a = agreement("A", "2026-01-01", "0.10")
    assert a.rate_for("motor", 1) == Decimal("0.10")
    assert a.rate_for("motor", None) == Decimal("0.10")
    assert a.rate_for("motor", 3) == Decimal("0.05")
    assert a.rate_for("travel", 1) == Decimal("0.01")  # the "*" rate


def test_bank_changes_need_a_second_user() -> None:
    d = BankDetails("X", "SG", "SGD", account_number="1234567", bank_code="7171", branch_code="001")
    change = request_change("C1", "B", d, "alice", T0)
    with pytest.raises(SameUserApproval):
        decide_change(change, approve=True, actor="alice", at=T0)
    approved = decide_change(change, approve=True, actor="bob", at=T0)
    assert approved.status is ChangeStatus.APPROVED
    with pytest.raises(ChangeNotPending):
        decide_change(approved, approve=False, actor="carol", at=T0)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("mallory", "Mallory", True),
        ("mallory", "  MALLORY\t", True),
        ("mallory", "\uff4d\uff41\uff4c\uff4c\uff4f\uff52\uff59", True),  # full width
        ("strasse", "STRASSE", True),
        ("straße", "STRASSE", True),  # case folding, not lower()
        ("jane doe", "Jane  Doe", True),
        ("mallory", "mallory2", False),
        ("alice", "bob", False),
    ],
)
def test_four_eyes_compares_normalised_identities(a: str, b: str, same: bool) -> None:
    assert same_identity(a, b) is same
    d = BankDetails("X", "SG", "SGD", account_number="1234567", bank_code="7171", branch_code="001")
    change = request_change("C1", "B", d, a, T0)
    if same:
        with pytest.raises(SameUserApproval):
            decide_change(change, approve=True, actor=b, at=T0)
    else:
        assert decide_change(change, approve=True, actor=b, at=T0).decided_by == b


def test_a_negative_net_is_carried_forward_and_nothing_is_payable() -> None:
    p = Period.parse("2026-12")
    s = build_statement("B", p, "SGD", -5_000, [3_000, -1_000])
    assert (s.opening, s.accruals, s.clawbacks, s.net) == (-5_000, 3_000, 1_000, -3_000)
    assert (s.payable, s.carried_forward) == (0, -3_000)
    s2 = build_statement("B", Period.parse("2027-01"), "SGD", s.carried_forward, [10_000])
    assert (s2.payable, s2.carried_forward) == (7_000, 0)
    assert p.last_day == date(2026, 12, 31)
    with pytest.raises(InvalidPeriod):
        Period.parse("2026-13")


@pytest.mark.parametrize("text", ["0000-01", "1899-12", "2200-01", "٢٠٢٦-01"])
def test_a_period_lies_within_the_business_calendar(text: str) -> None:
    with pytest.raises(InvalidPeriod):
        Period.parse(text)
    assert Period.parse("1900-01").first_day == date(1900, 1, 1)
    assert Period.parse("2199-12").last_day == date(2199, 12, 31)

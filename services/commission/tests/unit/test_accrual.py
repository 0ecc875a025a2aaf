"""Accrual and clawback on an invoice book: exact to the cent, proportional clawbacks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from commission.domain.accrual import BookLine, InvoiceBook, paid, rebilled
from commission.domain.agreements import Basis
from commission.domain.money import round_half_up, split_largest_remainder

DAY = date(2026, 11, 5)


def book(amounts: list[int], rates: list[Decimal], basis: Basis = Basis.COLLECTION) -> InvoiceBook:
    lines = tuple(
        BookLine(n + 1, a, "motor", "POL", 1, "BRK", "AG", basis, r)
        for n, (a, r) in enumerate(zip(amounts, rates, strict=True))
    )
    return InvoiceBook("ACC", "INV", "SGD", DAY, lines)


def target(amounts: list[int], rates: list[Decimal]) -> int:
    exact = sum(Fraction(r) * a for a, r in zip(amounts, rates, strict=True))
    return round_half_up(Fraction(exact))


rates_st = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False)


@st.composite
def invoices_and_payments(draw: st.DrawFn) -> tuple[list[int], list[Decimal], list[int]]:
    amounts = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=6))
    rates = [draw(rates_st) for _ in amounts]
    total = sum(amounts)
    cuts = sorted([*draw(st.lists(st.integers(1, total), max_size=8, unique=True)), total])
    payments = [b - a for a, b in zip([0, *cuts], cuts, strict=False) if b > a]
    return amounts, rates, payments


@given(invoices_and_payments())
def test_accruals_on_an_invoice_sum_to_rate_times_total_to_the_cent(
    case: tuple[list[int], list[Decimal], list[int]],
) -> None:
    amounts, rates, payments = case
    b, total = book(amounts, rates), 0
    for p in payments:
        b, entries = paid(b, p, DAY)
        assert all(e.amount > 0 for e in entries)
        total += sum(e.amount for e in entries)
    assert total == target(amounts, rates)


@given(invoices_and_payments(), st.data())
def test_reversals_and_credits_claw_back_exactly_what_was_earned(
    case: tuple[list[int], list[Decimal], list[int]], data: st.DataObject
) -> None:
    amounts, rates, payments = case
    b, total = book(amounts, rates), 0
    for p in payments:
        b, entries = paid(b, p, DAY)
        total += sum(e.amount for e in entries)
        back = data.draw(st.integers(0, b.collected))
        b, entries = paid(b, -back, DAY)
        assert all(e.amount < 0 for e in entries)
        total += sum(e.amount for e in entries)
        assert total == b.earned(Basis.COLLECTION)
    b, entries = paid(b, b.total - b.collected, DAY)
    assert total + sum(e.amount for e in entries) == target(amounts, rates)


@given(st.integers(-(10**12), 10**12), st.lists(st.integers(0, 10**6), min_size=1, max_size=9))
def test_largest_remainder_parts_sum_to_the_whole(total: int, weights: list[int]) -> None:
    if sum(weights) == 0:
        weights[0] = 1
    parts = split_largest_remainder(total, weights)
    assert sum(parts) == total
    for part, w in zip(parts, weights, strict=True):
        exact = Fraction(abs(total) * w, sum(weights))
        assert abs(abs(part) - exact) < 1


def test_billing_basis_accrues_at_issue_and_claws_back_a_write_off_proportionally() -> None:
    b = book([100_000], [Decimal("0.15")], Basis.BILLING)
    b, issued = rebilled(b, b.total, DAY)
    assert [e.amount for e in issued] == [15_000]
    b, wo = rebilled(b, -40_000, DAY)  # 40% written off
    assert [(e.amount, e.kind) for e in wo] == [(-6_000, "clawback")]
    b, collected = paid(b, 60_000, DAY)
    assert collected == []  # payments do not move billing-basis commission


def test_a_line_without_a_rate_takes_its_share_of_payment_but_earns_nothing() -> None:
    lines = (
        BookLine(1, 50_000, "motor", "P", 1, "BRK", "AG", Basis.COLLECTION, Decimal("0.10")),
        BookLine(2, 50_000, "fee", "P", 1, None),
    )
    b = InvoiceBook("ACC", "INV", "SGD", DAY, lines)
    b, entries = paid(b, 100_000, DAY)
    assert [(e.line_no, e.amount, e.premium) for e in entries] == [(1, 5_000, 50_000)]


def test_first_year_and_renewal_lines_are_split_by_their_own_rates() -> None:
    b = book([100_000, 50_000], [Decimal("0.15"), Decimal("0.05")])
    b, entries = paid(b, 75_000, DAY)  # half paid
    assert [e.amount for e in entries] == [7_500, 1_250]

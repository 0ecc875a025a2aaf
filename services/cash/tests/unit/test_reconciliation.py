"""Partner reconciliation without I/O: expected against settled, per day, with differences."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cash.domain.errors import ExpectedConflict, InvalidExpected
from cash.domain.reconciliation import (
    AMOUNT_DIFFERS,
    NOT_EXPECTED,
    NOT_SETTLED,
    OTHER_DATE,
    Expected,
    Settled,
    reconcile,
    to_add,
)

D1, D2, D3 = date(2026, 2, 10), date(2026, 2, 11), date(2026, 2, 12)


def exp(ref: str, amount: int, on: date = D1, partner: str = "GRAB") -> Expected:
    return Expected(partner, ref, amount, "SGD", on, "ACC-1")


def paid(ref: str, net: int, fee: int = 0, on: date = D1, partner: str = "GRAB") -> Settled:
    return Settled(partner, ref, f"LINE-{ref}", net, fee, "SGD", on)


def test_a_settlement_as_expected_agrees_and_fees_are_added_up() -> None:
    r = reconcile(
        [exp("T1", 10000), exp("T2", 5000)], [paid("T1", 9750, 250), paid("T2", 5000)], D1, D1
    )

    [day] = r.days
    assert (day.expected_count, day.expected, day.settled_count) == (2, 15000, 2)
    assert (day.gross, day.fees, day.net, day.agreed, day.differences) == (15000, 250, 14750, 2, 0)
    assert r.differences == ()
    assert [(t.settlement_date, t.net) for t in r.totals] == [(None, 14750)]


def test_every_kind_of_difference_is_listed() -> None:
    r = reconcile(
        [exp("MISSING", 100), exp("SHORT", 1000), exp("LATE", 500)],
        [paid("SHORT", 900, 50), paid("LATE", 500, on=D2), paid("EXTRA", 70, on=D2)],
        D1,
        D2,
    )

    kinds = {d.reference: (d.kind, d.gap) for d in r.differences}
    assert kinds == {
        "MISSING": (NOT_SETTLED, -100),
        "SHORT": (AMOUNT_DIFFERS, -50),
        "LATE": (OTHER_DATE, 0),
        "EXTRA": (NOT_EXPECTED, 70),
    }
    by_day = {d.settlement_date: d for d in r.days}
    assert by_day[D1].differences == 3  # MISSING, SHORT, LATE were expected on D1
    assert by_day[D2].differences == 1  # EXTRA was settled on D2
    assert by_day[D1].settled_count == 1
    assert by_day[D2].settled_count == 2


def test_the_other_side_outside_the_period_is_matched_not_missing() -> None:
    r = reconcile([exp("T1", 100, on=D1)], [paid("T1", 100, on=D2)], D1, D1)

    assert [(d.kind, d.settled_on) for d in r.differences] == [(OTHER_DATE, D2)]
    [day] = r.days
    assert (day.expected_count, day.settled_count) == (1, 0)


def test_what_falls_outside_on_both_sides_is_left_out() -> None:
    r = reconcile([exp("T1", 100, on=D3)], [paid("T2", 100, on=D3)], D1, D2)
    assert (r.days, r.differences) == ((), ())


def test_partners_are_reconciled_apart() -> None:
    r = reconcile([exp("T1", 100, partner="A")], [paid("T1", 100, partner="B")], D1, D1)
    assert sorted((d.partner_id, d.kind) for d in r.differences) == [
        ("A", NOT_SETTLED),
        ("B", NOT_EXPECTED),
    ]


def test_a_refund_settles_negative() -> None:
    r = reconcile([exp("R1", -2000)], [paid("R1", -2050, 50)], D1, D1)
    assert r.differences == ()
    assert (r.days[0].gross, r.days[0].net) == (-2000, -2050)


def test_an_upload_adds_what_is_new_and_refuses_changes() -> None:
    known = {"T1": exp("T1", 100)}
    assert to_add([exp("T1", 100), exp("T2", 5)], known) == [exp("T2", 5)]
    with pytest.raises(ExpectedConflict) as conflict:
        to_add([exp("T2", 5), exp("T1", 101)], known)
    assert conflict.value.field == "transactions[1]"
    with pytest.raises(InvalidExpected):
        to_add([exp("T3", 1), exp("T3", 1)], {})


refs = st.sampled_from([f"T{n}" for n in range(12)])
days = st.integers(0, 4).map(lambda n: D1 + timedelta(days=n))


@given(
    st.dictionaries(refs, st.tuples(st.integers(-(10**6), 10**6), days), max_size=10),
    st.dictionaries(
        refs, st.tuples(st.integers(-(10**6), 10**6), st.integers(0, 500), days), max_size=10
    ),
)
def test_every_transaction_in_the_period_is_agreed_or_a_difference(
    e: dict[str, tuple[int, date]], s: dict[str, tuple[int, int, date]]
) -> None:
    expected = [exp(k, a, on) for k, (a, on) in e.items()]
    settled = [paid(k, net, fee, on) for k, (net, fee, on) in s.items()]
    first, last = D1 + timedelta(days=1), D1 + timedelta(days=3)

    r = reconcile(expected, settled, first, last)

    in_period = {x.reference for x in expected if first <= x.expected_on <= last} | {
        x.reference for x in settled if first <= x.settled_on <= last
    }
    agreed = sum(d.agreed for d in r.days)
    assert agreed + len(r.differences) == len(in_period)
    assert sum(d.differences for d in r.days) == len(r.differences)
    for t in r.totals:
        assert t.gross - t.fees == t.net
        assert t.net == sum(x.net for x in settled if first <= x.settled_on <= last)
        assert t.expected == sum(x.amount for x in expected if first <= x.expected_on <= last)

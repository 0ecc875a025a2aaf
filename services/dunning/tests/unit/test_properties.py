"""Property tests: the ladder never skips a level, never repeats a level's actions within
an episode, and days past due follow the earliest unpaid due date whatever is paid."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dunning.domain import ledger_facts as f
from dunning.domain.aging import assess
from dunning.domain.decide import reassess

from .builders import POLICY, Account, day

invoices = st.lists(
    st.tuples(st.integers(min_value=0, max_value=40), st.integers(min_value=1, max_value=500)),
    min_size=1,
    max_size=4,
)
payments = st.lists(
    st.tuples(st.integers(min_value=0, max_value=70), st.integers(min_value=1, max_value=400)),
    max_size=6,
)


def build(invs: list[tuple[int, int]]) -> Account:
    a = Account()
    for n, (due, amount) in enumerate(invs):
        a.invoice(f"I{n}", f"{amount}.00", day(due), policy=f"POL-{n % 2}")
    return a


def pay_oldest(a: Account, payment_id: str, amount: int, on: int) -> None:
    """Allocate a payment oldest due first, as the ledger does without allocations."""
    left = amount * 100
    a.fact(f.PaymentReceived(payment_id=payment_id, amount=f"{amount}.00", received_on=day(on)))
    for item in sorted(a.rec.open_items(), key=lambda i: (i.due_date, i.item_id)):
        take = min(left, item.open_amount)
        if take <= 0:
            break
        a.fact(
            f.PaymentAllocated(
                payment_id=payment_id,
                invoice_id=item.item_id,
                amount=f"{take // 100}.{take % 100:02d}",
            )
        )
        left -= take


@settings(max_examples=60, deadline=None)
@given(invoices, payments)
def test_no_skip_no_repeat_and_runs_are_idempotent(
    invs: list[tuple[int, int]], pays: list[tuple[int, int]]
) -> None:
    a = build(invs)
    by_day: dict[int, list[tuple[int, int]]] = {}
    for n, (on, amount) in enumerate(pays):
        by_day.setdefault(on, []).append((n, amount))
    actioned: dict[int, list[int]] = {}  # episode -> levels whose reminder/final went out
    for n in range(1, 80):
        for pid, amount in by_day.get(n, []):
            pay_oldest(a, f"P{pid}", amount, n)
            a.state = reassess(a.state, a.rec, POLICY, day(n)).state
        before = a.state.level
        d = a.run(day(n))
        assert a.state.level <= before + 1  # one level per business date at most
        for e in d.events:
            if e.event.event_type() == "DunningLevelReached":
                assert e.event.previous_level == e.event.level - 1  # type: ignore[attr-defined]
            if e.event.event_type() in ("ReminderSent", "FinalNoticeSent"):
                levels = actioned.setdefault(a.state.episode, [])
                assert a.state.level not in levels  # never twice in one episode
                levels.append(a.state.level)
        assert a.run(day(n)).events == []  # the same date again decides nothing


@settings(max_examples=100, deadline=None)
@given(invoices, payments, st.integers(min_value=0, max_value=90))
def test_days_past_due_count_from_the_earliest_unpaid_due_date(
    invs: list[tuple[int, int]], pays: list[tuple[int, int]], as_of: int
) -> None:
    a = build(invs)
    for pid, (on, amount) in enumerate(pays):
        pay_oldest(a, f"P{pid}", amount, on)
    od = assess(a.rec, day(as_of))
    unpaid = [
        i.due_date for i in a.rec.items.values() if i.open_amount > 0 and i.due_date < day(as_of)
    ]
    if not unpaid:
        assert (od.anchor, od.days_past_due, od.amount) == (None, 0, 0)
    else:
        assert od.anchor == min(unpaid)
        assert od.anchor + timedelta(days=od.days_past_due) == day(as_of)
        assert od.amount == sum(
            i.open_amount
            for i in a.rec.items.values()
            if i.open_amount > 0 and i.due_date < day(as_of)
        )

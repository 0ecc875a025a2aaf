"""Levels from days past due: climbing, re-anchoring after partial payments, clearing."""

from __future__ import annotations

from datetime import date

from dunning.domain import events as ev
from dunning.domain.decide import reassess

from .builders import POLICY, Account, day, types


def test_nothing_happens_before_the_first_threshold() -> None:
    a = Account().invoice("I1", "100.00", day(0))
    assert types(a.run(day(4))) == []
    assert a.state.level == 0


def test_a_level_brings_its_actions_once() -> None:
    a = Account().invoice("I1", "100.00", day(0))
    d = a.run(day(5))
    assert types(d) == ["DunningLevelReached", "ReminderSent"]
    reminder = d.events[1].event
    assert isinstance(reminder, ev.ReminderSent)
    assert reminder.recipient == "t@example.com"
    assert [i.invoice_id for i in reminder.invoices] == ["I1"]
    assert reminder.invoices[0].days_past_due == 5
    assert types(a.run(day(6))) == []
    d = a.run(day(10))
    assert types(d) == ["DunningLevelReached", "FinalNoticeSent", "FeeCharged"]
    fee = d.events[2].event
    assert isinstance(fee, ev.FeeCharged)
    assert (fee.amount, fee.currency) == ("25.00", "SGD")


def test_running_the_same_date_twice_acts_once() -> None:
    a = Account().invoice("I1", "100.00", day(0))
    first = a.run(day(5))
    again = a.run(day(5))
    assert types(first) == ["DunningLevelReached", "ReminderSent"]
    assert again.events == []


def test_a_late_run_climbs_one_level_per_day_and_skips_none() -> None:
    a = Account().invoice("I1", "100.00", day(0))
    levels = [lvl for _, lvl in a.run_days(25, 28)]
    assert levels == [1, 2, 3, 3]
    assert a.events.count("ReminderSent") == 1
    assert a.events.index("ReminderSent") < a.events.index("FinalNoticeSent")


def test_below_the_minimum_overdue_amount_no_level() -> None:
    a = Account().invoice("I1", "9.99", day(0))
    a.run_days(1, 12)
    assert a.state.level == 0


def test_full_payment_clears_at_once_on_the_event() -> None:
    a = Account().invoice("I1", "100.00", day(0), policy="POL-1")
    a.run_days(1, 21)
    assert a.state.level == 3
    assert set(a.state.suspended) == {"POL-1"}
    a.pay("P1", "100.00", day(22), "I1")
    d = reassess(a.state, a.rec, POLICY, day(22))
    assert types(d) == ["DunningCleared", "ServiceReinstated"]
    assert d.state.level == 0
    assert d.state.suspended == {}


def test_killbill_partial_payment_keeps_the_anchor() -> None:
    """A partial payment of the oldest invoice neither resets nor skips the ladder."""
    a = Account().invoice("I1", "100.00", day(0))
    a.run_days(1, 7)
    a.pay("P1", "60.00", day(7), "I1")
    assert types(reassess(a.state, a.rec, POLICY, day(7))) == []
    history = dict(a.run_days(8, 11))
    assert history[9] == 1
    assert history[10] == 2  # still counted from I1's due date
    assert a.events.count("ReminderSent") == 1


def test_killbill_settling_the_oldest_reanchors_without_skip_or_repeat() -> None:
    """Kill Bill #2297: paying the oldest invoice moves the earliest unpaid due date.

    The level is lowered at once, the ladder climbs again from the new anchor (level 2
    is reached 10 days after I2's due date, not I1's: not skipped), and the reminder of
    level 1 is not sent a second time in the same episode.
    """
    a = Account().invoice("I1", "100.00", day(0)).invoice("I2", "100.00", day(4))
    a.run_days(1, 6)
    assert a.state.level == 1
    a.pay("P1", "100.00", day(7), "I1")
    d = reassess(a.state, a.rec, POLICY, day(7))
    assert types(d) == ["DunningLevelLowered"]  # at once: I2 is only 3 days past due
    assert d.state.level == 0
    assert d.state.in_episode  # not cleared: I2 is still overdue
    a.state = d.state
    history = dict(a.run_days(7, 15))
    assert history[9] == 1  # 5 days after I2's due date
    assert history[13] == 1
    assert history[14] == 2  # 10 days after I2's due date: re-anchored, not skipped
    assert a.events.count("ReminderSent") == 1
    assert a.events.count("FinalNoticeSent") == 1


def test_a_disputed_invoice_is_excluded() -> None:
    from dunning.domain import ledger_facts as f

    a = Account().invoice("I1", "100.00", day(0))
    a.fact(f.InvoiceDisputed(invoice_id="I1"))
    a.run_days(1, 12)
    assert a.state.level == 0
    a.fact(f.DisputeResolved(invoice_id="I1"))
    a.run(day(13))
    assert a.state.level == 1
    assert POLICY.level(1) is not None


def test_a_run_before_the_last_run_decides_nothing() -> None:
    a = Account().invoice("I1", "100.00", day(0), policy="POL-1")
    a.run_days(1, 21)
    assert (a.state.level, set(a.state.suspended)) == (3, {"POL-1"})
    for earlier in (day(3), date(1, 1, 1)):
        d = a.run(earlier)
        assert d.events == []
        assert (d.state.level, set(d.state.suspended)) == (3, {"POL-1"})
    assert types(a.run(day(22))) == []  # no restart at level 1 afterwards
    assert a.state.level == 3


def test_a_run_never_clears_lowers_or_reinstates() -> None:
    """Only ledger events (``reassess``) do: the run acts on nothing they have not decided."""
    a = Account().invoice("I1", "100.00", day(0), policy="POL-1")
    a.run_days(1, 21)
    a.pay("P1", "100.00", day(21), "I1")  # folded, but not yet reassessed
    assert types(a.run(day(22))) == []
    assert (a.state.level, set(a.state.suspended)) == (3, {"POL-1"})
    d = reassess(a.state, a.rec, POLICY, day(22))
    assert types(d) == ["DunningCleared", "ServiceReinstated"]


def test_a_back_dated_run_quotes_the_balance_as_of_its_date() -> None:
    a = Account().invoice("I1", "100.00", day(0))
    a.pay("P1", "60.00", day(8), "I1")  # known today, effective after the run date
    d = a.run(day(5))
    reminder = d.events[1].event
    assert isinstance(reminder, ev.ReminderSent)
    assert reminder.overdue_amount == "100.00"
    assert [i.open_amount for i in reminder.invoices] == ["100.00"]
    later = Account().invoice("I1", "100.00", day(0))
    later.pay("P1", "60.00", day(4), "I1")
    reminder = later.run(day(5)).events[1].event
    assert isinstance(reminder, ev.ReminderSent)
    assert reminder.overdue_amount == "40.00"


def test_a_run_for_year_one_acts_on_nothing() -> None:
    a = Account().invoice("I1", "100.00", day(0))
    d = a.run(date(1, 1, 1))
    assert d.events == []
    assert a.state.level == 0

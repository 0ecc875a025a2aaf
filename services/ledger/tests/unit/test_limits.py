"""Account and item totals stay within what the ledger holds (``MAX_TOTAL``)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.errors import AccountTotalLimit
from ledger.domain.limits import check_totals
from ledger.domain.money import MAX_MINOR, MAX_TOTAL
from ledger.domain.state import Account, Item, Payment


def _account() -> Account:
    return Account("A", "A", "BHD", "SG", 0, 30, date(2026, 1, 1))


@given(st.lists(st.integers(min_value=1, max_value=MAX_MINOR), min_size=1, max_size=12))
def test_a_total_is_refused_exactly_when_it_passes_the_limit(amounts: list[int]) -> None:
    state = _account()
    state.totals.invoiced = state.totals.open = sum(amounts)
    if sum(amounts) > MAX_TOTAL:
        with pytest.raises(AccountTotalLimit) as refused:
            check_totals(state, set(), set(), field="lines")
        assert refused.value.field == "lines"
        assert "invoiced" in refused.value.detail
    else:
        check_totals(state, set(), set())


def test_items_and_payments_named_by_the_command_are_checked() -> None:
    state = _account()
    item = Item("I1", "invoice", date(2026, 1, 1), date(2026, 1, 31), MAX_MINOR)
    item.adjusted = MAX_TOTAL
    state.items["I1"] = item
    check_totals(state, set(), set())  # not touched by this command: not looked at
    with pytest.raises(AccountTotalLimit):
        check_totals(state, {"I1"}, set())
    state.payments["P1"] = Payment("P1", MAX_TOTAL + 1, date(2026, 1, 1), "card")
    with pytest.raises(AccountTotalLimit):
        check_totals(state, set(), {"P1"})

"""As-of positions: an overpaid item becomes unapplied credit, and the balance stays."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from ledger.adapters.postgres.queries import ItemPosition, overpaid_as_credit

ACCOUNTS = ("A", "B")

positions = st.lists(
    st.builds(
        ItemPosition,
        account_id=st.sampled_from(ACCOUNTS),
        item_id=st.text("xyz", min_size=1, max_size=3),
        due_date=st.just(date(2026, 1, 31)),
        open_amount=st.integers(-(10**6), 10**6).filter(bool),
        disputed=st.booleans(),
    )
)
credits = st.dictionaries(st.sampled_from(ACCOUNTS), st.integers(0, 10**6))


@given(positions, credits)
def test_no_open_item_is_negative_and_every_balance_is_kept(
    items: list[ItemPosition], unapplied: dict[str, int]
) -> None:
    kept, credit = overpaid_as_credit(items, unapplied)
    assert all(i.open_amount > 0 for i in kept)
    assert [i for i in items if i.open_amount > 0] == kept
    for account in ACCOUNTS:
        before = sum(i.open_amount for i in items if i.account_id == account)
        after = sum(i.open_amount for i in kept if i.account_id == account)
        assert before - unapplied.get(account, 0) == after - credit.get(account, 0)
        assert credit.get(account, 0) >= unapplied.get(account, 0)

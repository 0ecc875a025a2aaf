"""The matching rules, without I/O: given candidates, what is posted and what waits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cash.domain.matching import Candidate, MatchPolicy, OpenItem, Share, allocate, decide

POLICY = MatchPolicy(threshold=75, tolerance={"SG": Decimal("5.00")})


def item(invoice_id: str, amount: int, due: str = "2026-01-31", policy: str | None = None):
    return OpenItem(invoice_id, date.fromisoformat(due), amount, policy)


def acme(*items: OpenItem, refs: tuple[str, ...] = (), name: float = 0.0) -> Candidate:
    return Candidate("ACME", "Acme Pte Ltd", "SGD", "SG", items, name, frozenset(refs))


def test_a_referenced_invoice_paid_exactly_is_posted() -> None:
    d = decide(125000, "SGD", [acme(item("INV-1", 125000), refs=("INV-1",))], POLICY)
    assert d.post is not None
    assert d.post.allocations == (Share("INV-1", 125000),)
    assert d.post.score == 80


def test_a_policy_number_in_the_remittance_finds_its_invoices() -> None:
    c = acme(item("INV-1", 1000, policy="GL-17"), item("INV-2", 500), refs=("GL-17",))
    d = decide(1000, "SGD", [c], POLICY)
    assert d.post is not None
    assert d.post.allocations == (Share("INV-1", 1000),)


def test_short_within_tolerance_writes_the_gap_off() -> None:
    d = decide(49750, "SGD", [acme(item("INV-1", 50000), refs=("INV-1",))], POLICY)
    assert d.post is not None
    assert d.post.write_offs == (Share("INV-1", 250),)


def test_short_beyond_tolerance_is_a_part_payment_without_write_off() -> None:
    d = decide(40000, "SGD", [acme(item("INV-1", 50000), refs=("INV-1",))], POLICY)
    assert d.post is not None
    assert d.post.write_offs == ()
    assert d.post.allocations == (Share("INV-1", 40000),)


def test_the_tolerance_is_per_jurisdiction() -> None:
    hk = Candidate("HK1", "Kowloon Ltd", "SGD", "HK", (item("I", 50000),), 0, frozenset({"I"}))
    d = decide(49750, "SGD", [hk], POLICY)
    assert d.post is not None
    assert d.post.write_offs == ()


def test_an_amount_and_name_alone_wait_for_review() -> None:
    d = decide(1000, "SGD", [acme(item("INV-1", 1000), name=1.0)], POLICY)
    assert d.post is None
    assert d.suggestions[0].allocations == (Share("INV-1", 1000),)
    assert d.suggestions[0].score == 50


def test_two_equally_good_accounts_are_left_to_a_person() -> None:
    other = Candidate("BETA", "Beta", "SGD", "SG", (item("B-1", 1000),), 0, frozenset({"B-1"}))
    d = decide(1000, "SGD", [acme(item("A-1", 1000), refs=("A-1",)), other], POLICY)
    assert d.post is None
    assert [s.account_id for s in d.suggestions] == ["ACME", "BETA"]


def test_another_currency_is_never_suggested() -> None:
    d = decide(1000, "HKD", [acme(item("INV-1", 1000), refs=("INV-1",))], POLICY)
    assert d.suggestions == ()


def test_nothing_found_is_an_unidentified_receipt() -> None:
    assert decide(1000, "SGD", [], POLICY).suggestions == ()


amounts = st.integers(min_value=1, max_value=10**9)


@given(
    amount=amounts,
    opens=st.lists(amounts, min_size=1, max_size=8),
    tolerance=st.integers(min_value=0, max_value=10**4),
)
def test_allocation_never_loses_or_invents_money(
    amount: int, opens: list[int], tolerance: int
) -> None:
    items = [item(f"I{i}", o, f"2026-01-{1 + i:02d}") for i, o in enumerate(opens)]
    shares, write_offs, unapplied = allocate(amount, items, tolerance)
    assert sum(s.amount for s in shares) + unapplied == amount
    assert unapplied >= 0
    by_id = {i.invoice_id: i.open_amount for i in items}
    settled: dict[str, int] = {}
    for s in (*shares, *write_offs):
        settled[s.invoice_id] = settled.get(s.invoice_id, 0) + s.amount
    assert all(0 < v <= by_id[k] for k, v in settled.items())
    assert sum(w.amount for w in write_offs) <= tolerance
    if unapplied:
        assert settled == by_id  # credit is left only when everything is paid

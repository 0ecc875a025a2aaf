"""What a collection run debits, without I/O; and that no invoice is ever collected twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cash.domain.collection import end_to_end_id, run_id, select
from cash.domain.mandates import Details, Mandate
from cash.domain.matching import OpenItem

ON = date(2026, 3, 2)


def mandate(account_id: str, currency: str = "EUR", signed: date = date(2026, 1, 1)) -> Mandate:
    details = (
        Details("Debtor", "FR1420041010050500013M02606")
        if currency == "EUR"
        else Details("Debtor", partner="DBS-GIRO", bank_account="0721234567")
    )
    scheme = "sepa_core" if currency == "EUR" else "partner"
    return Mandate(f"M-{account_id}", account_id, currency, "SG", scheme, signed, details)


def item(invoice_id: str, due: date, amount: int = 1000) -> OpenItem:
    return OpenItem(invoice_id, due, amount)


def test_only_due_open_invoices_of_accounts_with_an_active_mandate_are_debited() -> None:
    mandates = [
        mandate("A"),
        mandate("B", "SGD"),
        replace(mandate("C"), status="cancelled"),
        mandate("D", signed=ON + timedelta(days=1)),
    ]
    items = {
        "A": [
            item("A-2", ON),
            item("A-1", ON - timedelta(days=30)),
            item("A-3", ON + timedelta(1)),
        ],
        "B": [item("B-1", ON - timedelta(days=1), 25050), item("B-0", ON, 0)],
        "C": [item("C-1", ON)],
        "D": [item("D-1", ON)],
        "E": [item("E-1", ON)],
    }
    debits = select(ON, mandates, items, collected={("A", "A-2")})
    assert [(d.account_id, d.invoice_id, d.amount) for d in debits] == [
        ("A", "A-1", 1000),
        ("B", "B-1", 25050),
    ]
    assert [d.scheme for d in debits] == ["sepa_core", "partner"]
    assert debits[1].details.partner == "DBS-GIRO"


def test_ids_are_derived_from_the_date_account_and_invoice() -> None:
    e2e = end_to_end_id(ON, "ACC-1", "INV-1")
    assert e2e == end_to_end_id(ON, "ACC-1", "INV-1")
    assert e2e != end_to_end_id(ON, "ACC-1", "INV-2")
    assert e2e.startswith("DD20260302-")
    assert len(e2e) <= 35
    assert run_id(ON) == "DD-20260302"


accounts = st.sampled_from(["A", "B", "C"])
invoices = st.lists(
    st.tuples(accounts, st.integers(0, 9), st.integers(-20, 40), st.integers(0, 5000)),
    max_size=30,
)


@given(invoices, st.lists(st.integers(0, 60), min_size=1, max_size=6))
def test_runs_never_collect_an_invoice_twice(
    rows: list[tuple[str, int, int, int]], offsets: list[int]
) -> None:
    """Whatever the run dates and their order, an invoice is debited at most once, and only
    when due, open and under a mandate signed by then."""
    open_items: dict[str, list[OpenItem]] = {}
    for acc, n, due, amount in rows:
        if all(i.invoice_id != f"{acc}-{n}" for i in open_items.get(acc, [])):
            open_items.setdefault(acc, []).append(
                item(f"{acc}-{n}", ON + timedelta(days=due), amount)
            )
    mandates = [mandate("A"), mandate("B", "SGD", signed=ON + timedelta(days=10))]
    collected: set[tuple[str, str]] = set()
    seen: list[tuple[str, str]] = []
    for offset in offsets:
        on = ON + timedelta(days=offset)
        for d in select(on, mandates, open_items, collected):
            assert d.due_date <= on
            assert d.amount > 0
            assert d.account_id in ("A", "B")
            seen.append((d.account_id, d.invoice_id))
            collected.add((d.account_id, d.invoice_id))
    assert len(seen) == len(set(seen))

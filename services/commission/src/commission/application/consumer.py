"""From ledger events to commission entries: one event at a time, inside the consumer's
transaction (the consumer framework ``eventfeed`` records the event as processed in the
same transaction, so a redelivered event has no second effect).

What each ledger event means for commission:

InvoiceIssued        open a book for the invoice, pricing each broker line once (agreement
                     effective on the issue date, as known when the ledger recorded it);
                     billing-basis lines accrue on the total.
PaymentAllocated     collection basis accrues on the amount (also for credit applied later).
PaymentReversed      its released allocations: collection-basis clawback per invoice.
CreditNoteIssued     billing basis: clawback on the credited amount; collection basis:
                     clawback on the allocations it released (money no longer collected).
AdjustmentPosted     on an invoice: billing basis moves with the amount (+ accrues, -
                     claws back); released allocations claw back collection basis. A debit
                     note (no invoice) carries no broker line: nothing.
InvoiceWrittenOff    billing basis: clawback. Collection basis: only open (uncollected)
                     premium is written off, on which nothing was earned: nothing.
WriteOffRecovered    billing basis: accrues again; collection basis earns when it is paid.
RefundIssued         nothing: a refund pays out unapplied credit only, and premium became
                     unapplied credit through a reversal, credit note or adjustment, which
                     already clawed back the commission on it.
others               nothing (account opened, payment received before allocation, disputes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from commission.domain.accrual import BookLine, Entry, InvoiceBook, paid, price_lines, rebilled
from commission.domain.agreements import Agreement
from commission.domain.money import to_minor
from eventfeed import LedgerEvent


@dataclass(frozen=True)
class Posted:
    """An entry with the ledger event that caused it (its natural key and position)."""

    entry: Entry
    event: LedgerEvent


class BookStore(Protocol):
    async def book(self, account_id: str, invoice_id: str) -> InvoiceBook | None: ...

    async def save_book(self, book: InvoiceBook) -> None: ...

    async def add_entries(self, posted: Sequence[Posted]) -> None: ...

    async def agreements_of(self, broker_ids: Iterable[str]) -> dict[str, list[Agreement]]: ...


async def apply_event(store: BookStore, event: LedgerEvent) -> int:
    """Apply one ledger event; return the number of entries it produced."""
    if event.type == "InvoiceIssued":
        return await _issued(store, event)
    moves = _moves(event)
    count = 0
    for invoice_id, kind, amount in moves:
        book = await store.book(event.account_id, invoice_id)
        if book is None:  # an invoice without broker lines, or a debit note
            continue
        step = paid if kind == "paid" else rebilled
        book, entries = step(book, amount, event.effective_date)
        await store.save_book(book)
        await store.add_entries([Posted(e, event) for e in entries])
        count += len(entries)
    return count


async def _issued(store: BookStore, event: LedgerEvent) -> int:
    data = event.data
    currency = str(data["currency"])
    lines = tuple(_line(raw, currency) for raw in data["lines"])
    if not any(line.broker_id for line in lines):
        return 0
    if await store.book(event.account_id, str(data["invoice_id"])) is not None:
        return 0  # already booked (a replayed duplicate): never price twice
    issue_date = date.fromisoformat(str(data["issue_date"]))
    agreements = await store.agreements_of({line.broker_id for line in lines if line.broker_id})
    priced = price_lines(lines, agreements, issue_date, _aware(event.recorded_at))
    book = InvoiceBook(event.account_id, str(data["invoice_id"]), currency, issue_date, priced)
    book, entries = rebilled(book, book.total, issue_date)
    await store.save_book(book)
    await store.add_entries([Posted(e, event) for e in entries])
    return len(entries)


def _line(raw: Mapping[str, Any], currency: str) -> BookLine:
    year = raw.get("policy_year")
    return BookLine(
        line_no=int(raw["line_no"]),
        amount=to_minor(str(raw["amount"]), currency),
        product=raw.get("product"),
        policy_id=raw.get("policy_id"),
        policy_year=int(year) if year is not None else None,
        broker_id=raw.get("broker_id"),
    )


def _released(shares: Iterable[Mapping[str, Any]], cur: str) -> list[tuple[str, str, int]]:
    """Released allocations, summed per invoice (a credit note may release several)."""
    per: dict[str, int] = defaultdict(int)
    for s in shares:
        if s.get("invoice_id"):
            per[str(s["invoice_id"])] += to_minor(str(s["amount"]), cur)
    return [(invoice_id, "paid", -amount) for invoice_id, amount in per.items()]


def _moves(event: LedgerEvent) -> list[tuple[str, str, int]]:
    """(invoice, "paid" | "billed", signed minor units) movements an event makes."""
    d, t = event.data, event.type
    if t not in _MOVING:
        return []
    cur = str(d["currency"])
    amount = to_minor(str(d["amount"]), cur)
    released = _released(d.get("released", ()), cur)
    invoice_id = str(d.get("invoice_id") or "")
    if t == "PaymentAllocated":
        return [(invoice_id, "paid", amount)]
    if t == "PaymentReversed":
        return released
    if t in ("CreditNoteIssued", "InvoiceWrittenOff"):
        return [(invoice_id, "billed", -amount), *released]
    if t == "AdjustmentPosted":
        return [(invoice_id, "billed", amount), *released] if invoice_id else []
    return [(invoice_id, "billed", amount)]  # WriteOffRecovered


_MOVING = frozenset(
    {
        "PaymentAllocated",
        "PaymentReversed",
        "CreditNoteIssued",
        "AdjustmentPosted",
        "InvoiceWrittenOff",
        "WriteOffRecovered",
    }
)


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("ledger events carry timezone-aware recorded times")
    return at

"""Accrual and clawback on an invoice, line by line.

Each invoice the ledger issues with broker lines gets a *book*: its lines, each priced once
at issue (broker, agreement, basis, rate), and two premium measures:

- ``collected``: premium paid and allocated to the invoice (collection basis);
- ``billed``: premium invoiced, less credit notes and write-offs (billing basis).

For basis B the commission earned to date is ``K_B(m) = round(m x W_B / A)``: the measure
``m`` times the lines' blended rate, with ``A`` the invoice total and ``W_B`` the sum of
rate x amount over the lines on basis B, rounded once, half up, to the minor unit. Every
ledger event moves a measure; the entry for the move is ``K_B(new) - K_B(old)`` (positive:
accrual, negative: clawback), split over the lines by largest remainder weighted by
rate x amount. The entries on an invoice therefore always sum to ``K_B`` of its current
measure: for a fully paid invoice exactly ``round(rate x total)``, never a cent off, however
many partial payments, reversals and credits came in between. Clawbacks are proportional
by construction: reducing the measure by x% takes back x% of what was earned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from commission.domain.agreements import RATE_PLACES, Agreement, Basis, select_agreement
from commission.domain.money import round_half_up, split_largest_remainder

RATE_SCALE = 10**RATE_PLACES


@dataclass(frozen=True)
class BookLine:
    line_no: int
    amount: int
    product: str | None
    policy_id: str | None
    policy_year: int | None
    broker_id: str | None
    agreement_id: str | None = None
    basis: Basis | None = None
    rate: Decimal | None = None

    def weight(self, basis: Basis) -> int:
        """rate x amount in integer units (rates have at most RATE_PLACES decimals)."""
        if self.basis is not basis or self.rate is None or self.broker_id is None:
            return 0
        return int(self.rate * RATE_SCALE) * self.amount


@dataclass(frozen=True)
class InvoiceBook:
    account_id: str
    invoice_id: str
    currency: str
    issue_date: date
    lines: tuple[BookLine, ...]
    collected: int = 0
    billed: int = 0

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    def measure(self, basis: Basis) -> int:
        return self.collected if basis is Basis.COLLECTION else self.billed

    def earned(self, basis: Basis, measure: int | None = None) -> int:
        """``K_B``: commission earned on basis B at ``measure`` (default: the current one)."""
        m = self.measure(basis) if measure is None else measure
        weights = sum(line.weight(basis) for line in self.lines)
        if weights == 0 or self.total == 0:
            return 0
        return round_half_up(Fraction(m * weights, RATE_SCALE * self.total))


@dataclass(frozen=True)
class Entry:
    """One line's share of a commission movement (amounts signed, in minor units)."""

    account_id: str
    invoice_id: str
    line_no: int
    broker_id: str
    currency: str
    entry_date: date
    basis: Basis
    rate: Decimal
    premium: int
    amount: int
    product: str | None
    policy_id: str | None
    policy_year: int | None
    agreement_id: str | None

    @property
    def kind(self) -> str:
        return "accrual" if self.amount > 0 else "clawback"


def move(
    book: InvoiceBook, basis: Basis, new_measure: int, on: date
) -> tuple[InvoiceBook, list[Entry]]:
    """Set the book's measure for ``basis`` and return the entries that movement earns."""
    old_measure = book.measure(basis)
    moved = (
        replace(book, collected=new_measure)
        if basis is Basis.COLLECTION
        else replace(book, billed=new_measure)
    )
    delta = book.earned(basis, new_measure) - book.earned(basis, old_measure)
    on_basis = [line for line in book.lines if line.weight(basis) > 0]
    if not on_basis or new_measure == old_measure:
        return moved, []
    premiums = split_largest_remainder(
        new_measure - old_measure, [line.amount for line in book.lines]
    )
    premium_of = {line.line_no: p for line, p in zip(book.lines, premiums, strict=True)}
    parts = (
        split_largest_remainder(delta, [line.weight(basis) for line in on_basis])
        if delta
        else [0] * len(on_basis)
    )
    entries = [
        Entry(
            account_id=book.account_id,
            invoice_id=book.invoice_id,
            line_no=line.line_no,
            broker_id=line.broker_id or "",
            currency=book.currency,
            entry_date=on,
            basis=basis,
            rate=line.rate or Decimal(0),
            premium=premium_of[line.line_no],
            amount=part,
            product=line.product,
            policy_id=line.policy_id,
            policy_year=line.policy_year,
            agreement_id=line.agreement_id,
        )
        for line, part in zip(on_basis, parts, strict=True)
        if part != 0
    ]
    return moved, entries


def paid(book: InvoiceBook, amount: int, on: date) -> tuple[InvoiceBook, list[Entry]]:
    """A payment allocation (positive) or its release (negative) on the invoice."""
    return move(book, Basis.COLLECTION, book.collected + amount, on)


def rebilled(book: InvoiceBook, amount: int, on: date) -> tuple[InvoiceBook, list[Entry]]:
    """Billed premium changed: issue (+total), credit note / write-off (-), recovery (+)."""
    return move(book, Basis.BILLING, book.billed + amount, on)


def price_lines(
    lines: tuple[BookLine, ...],
    agreements: Mapping[str, Sequence[Agreement]],
    on: date,
    known_at: datetime,
) -> tuple[BookLine, ...]:
    """Fix each line's agreement, basis and rate once, as of the invoice's issue date."""
    priced = []
    for line in lines:
        chosen = (
            select_agreement(agreements.get(line.broker_id, ()), on, known_at)
            if line.broker_id
            else None
        )
        rate = chosen.rate_for(line.product, line.policy_year) if chosen else None
        if chosen is None or rate is None:
            priced.append(line)
            continue
        priced.append(
            replace(line, agreement_id=chosen.agreement_id, basis=chosen.basis, rate=rate)
        )
    return tuple(priced)

"""Double-entry postings for every financial event (DESIGN invariant 6).

A posting debits (positive) or credits (negative) one account of a small chart, in
minor units; the postings of one event always sum to zero. Postings on receivables name
the open item they belong to, so the receivables sub-ledger (open items, aging) and the
general ledger are the same numbers.
"""

from __future__ import annotations

from enum import StrEnum
from functools import singledispatch
from typing import NamedTuple

from ledger.domain import events as ev
from ledger.domain.money import to_minor


class Chart(StrEnum):
    RECEIVABLES = "1100-receivables"
    CASH_CLEARING = "1000-cash-clearing"
    SUSPENSE = "1900-suspense"
    UNAPPLIED_CASH = "2100-unapplied-cash"
    REFUNDS_PAYABLE = "2200-refunds-payable"
    COMMISSION_PAYABLE = "2300-commission-payable"
    PREMIUM_REVENUE = "4000-premium-revenue"
    BAD_DEBT = "6100-bad-debt-expense"


class Posting(NamedTuple):
    """One journal line (a named tuple: a rebuild makes one per line of every event)."""

    account: Chart
    amount: int  # debit > 0, credit < 0
    item_id: str | None = None


def postings(event: ev.Event) -> list[Posting]:
    """The balanced journal lines of ``event`` (none for non-financial events)."""
    lines = _postings(event)
    if sum(p.amount for p in lines) != 0:  # pragma: no cover - guarded by property tests
        raise AssertionError(f"unbalanced postings for {event.event_type()}")
    return lines


def _pair(
    debit: Chart,
    credit: Chart,
    amount: int,
    item_id: str | None = None,
    *,
    debit_item: bool = False,
    credit_item: bool = False,
) -> list[Posting]:
    return [
        Posting(debit, amount, item_id if debit_item else None),
        Posting(credit, -amount, item_id if credit_item else None),
    ]


def _released(event_currency: str, shares: tuple[ev.PaymentShare, ...]) -> list[Posting]:
    """Releasing an allocation: the item is receivable again, the cash is unapplied."""
    out: list[Posting] = []
    for share in shares:
        amount = to_minor(share.amount, event_currency)
        out += _pair(
            Chart.RECEIVABLES, Chart.UNAPPLIED_CASH, amount, share.invoice_id, debit_item=True
        )
    return out


@singledispatch
def _postings(event: ev.Event) -> list[Posting]:
    return []


@_postings.register
def _(e: ev.InvoiceIssued) -> list[Posting]:
    return _pair(
        Chart.RECEIVABLES,
        Chart.PREMIUM_REVENUE,
        to_minor(e.total, e.currency),
        e.invoice_id,
        debit_item=True,
    )


@_postings.register
def _(e: ev.PaymentReceived) -> list[Posting]:
    return _pair(Chart.CASH_CLEARING, Chart.UNAPPLIED_CASH, to_minor(e.amount, e.currency))


@_postings.register
def _(e: ev.ReceiptSuspended) -> list[Posting]:
    return _pair(Chart.CASH_CLEARING, Chart.SUSPENSE, to_minor(e.amount, e.currency))


@_postings.register
def _(e: ev.SuspenseCleared) -> list[Posting]:
    """Moved: back out of cash clearing, which the customer's payment debits again;
    refunded: owed to the payer."""
    other = Chart.CASH_CLEARING if e.to_account_id else Chart.REFUNDS_PAYABLE
    return _pair(Chart.SUSPENSE, other, to_minor(e.amount, e.currency))


@_postings.register
def _(e: ev.PaymentAllocated) -> list[Posting]:
    return _pair(
        Chart.UNAPPLIED_CASH,
        Chart.RECEIVABLES,
        to_minor(e.amount, e.currency),
        e.invoice_id,
        credit_item=True,
    )


@_postings.register
def _(e: ev.PaymentReversed) -> list[Posting]:
    return _released(e.currency, e.released) + _pair(
        Chart.UNAPPLIED_CASH, Chart.CASH_CLEARING, to_minor(e.amount, e.currency)
    )


@_postings.register
def _(e: ev.CreditNoteIssued) -> list[Posting]:
    return _pair(
        Chart.PREMIUM_REVENUE,
        Chart.RECEIVABLES,
        to_minor(e.amount, e.currency),
        e.invoice_id,
        credit_item=True,
    ) + _released(e.currency, e.released)


@_postings.register
def _(e: ev.AdjustmentPosted) -> list[Posting]:
    item_id = e.invoice_id or e.adjustment_id
    return _pair(
        Chart.RECEIVABLES,
        Chart.PREMIUM_REVENUE,
        to_minor(e.amount, e.currency),
        item_id,
        debit_item=True,
    ) + _released(e.currency, e.released)


@_postings.register
def _(e: ev.InvoiceWrittenOff) -> list[Posting]:
    return _pair(
        Chart.BAD_DEBT,
        Chart.RECEIVABLES,
        to_minor(e.amount, e.currency),
        e.invoice_id,
        credit_item=True,
    )


@_postings.register
def _(e: ev.WriteOffRecovered) -> list[Posting]:
    return _pair(
        Chart.RECEIVABLES,
        Chart.BAD_DEBT,
        to_minor(e.amount, e.currency),
        e.invoice_id,
        debit_item=True,
    )


@_postings.register
def _(e: ev.RefundIssued) -> list[Posting]:
    return _pair(Chart.UNAPPLIED_CASH, Chart.REFUNDS_PAYABLE, to_minor(e.amount, e.currency))

"""Collection runs: which open invoices a run date collects by direct debit.

Pure: the application gathers the active mandates, each account's open items (from the
ledger) and the invoices collected before; :func:`select` says what this run debits.

- An invoice is collected when its account has an active mandate signed on or before the
  collection date, it is due on or before that date, and something of it is open.
- An invoice is collected at most once: one collected before (by any run, whether it was
  paid, refused by the ledger or returned by the bank) is not taken again. After a
  return, the invoice is open in the ledger again and dunning works it.
- One debit per invoice, for its open amount, so that a bank return reverses exactly that
  invoice's payment. Its end-to-end id (at most 35 characters, as pain.008 allows) is
  derived from the run date, account and invoice: the same run always makes the same ids,
  and the ledger payment carries the same id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from cash.domain.mandates import Details, Mandate, Scheme
from cash.domain.matching import OpenItem


@dataclass(frozen=True)
class Debit:
    end_to_end_id: str
    mandate_id: str
    account_id: str
    invoice_id: str
    due_date: date
    amount: int  # minor units of currency
    currency: str
    scheme: Scheme
    signed_on: date  # the mandate's, as the debit file states it
    details: Details  # whom and where, as the mandate says on the day of the run


def run_id(collection_date: date) -> str:
    """One run per collection date: ``DD-20260301``."""
    return f"DD-{collection_date:%Y%m%d}"


def end_to_end_id(collection_date: date, account_id: str, invoice_id: str) -> str:
    """``DD20260301-`` and 20 hex digits of the account and invoice (31 characters)."""
    digest = hashlib.sha256(f"{account_id}\x1f{invoice_id}".encode()).hexdigest()[:20]
    return f"DD{collection_date:%Y%m%d}-{digest.upper()}"


def select(
    collection_date: date,
    mandates: Sequence[Mandate],
    open_items: Mapping[str, Sequence[OpenItem]],
    collected: Collection[tuple[str, str]],
) -> list[Debit]:
    """The debits of the run on ``collection_date``: per account with an active mandate,
    its due, open invoices not ``collected`` before (``(account_id, invoice_id)`` pairs);
    ordered by account, due date and invoice."""
    debits: list[Debit] = []
    for m in sorted(mandates, key=lambda m: m.account_id):
        if not m.active or m.signed_on > collection_date:
            continue
        items = sorted(open_items.get(m.account_id, ()), key=lambda i: (i.due_date, i.invoice_id))
        for item in items:
            if item.due_date > collection_date or item.open_amount <= 0:
                continue
            if (m.account_id, item.invoice_id) in collected:
                continue
            debits.append(
                Debit(
                    end_to_end_id(collection_date, m.account_id, item.invoice_id),
                    m.mandate_id,
                    m.account_id,
                    item.invoice_id,
                    item.due_date,
                    item.open_amount,
                    m.currency,
                    m.scheme,
                    m.signed_on,
                    m.details,
                )
            )
    return debits

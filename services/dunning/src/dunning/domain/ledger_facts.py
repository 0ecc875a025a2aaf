"""The ledger's events as dunning reads them (its published language, read tolerantly).

Only the fields dunning needs are declared; unknown fields and unknown event types are
ignored, so the ledger can add to its contracts without breaking this consumer. Amounts
stay decimal strings here and become minor units in :mod:`dunning.domain.receivables`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict


class _Tolerant(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Fact(_Tolerant):
    """A ledger event dunning acts on: each subclass is one, named as the ledger names it."""


class Share(_Tolerant):
    payment_id: str
    invoice_id: str | None = None
    amount: str


class AccountOpened(Fact):
    account_id: str
    name: str
    currency: str
    jurisdiction: str
    credit_limit: str
    broker_id: str | None = None


class Line(_Tolerant):
    amount: str
    product: str | None = None
    policy_id: str | None = None
    policy_year: int | None = None


class InvoiceIssued(Fact):
    invoice_id: str
    issue_date: date
    due_date: date
    total: str
    lines: tuple[Line, ...] = ()
    policy_id: str | None = None


class PaymentReceived(Fact):
    payment_id: str
    amount: str
    received_on: date


class PaymentAllocated(Fact):
    payment_id: str
    invoice_id: str
    amount: str


class PaymentReversed(Fact):
    payment_id: str
    amount: str
    released: tuple[Share, ...] = ()


class CreditNoteIssued(Fact):
    invoice_id: str
    amount: str
    released: tuple[Share, ...] = ()


class AdjustmentPosted(Fact):
    adjustment_id: str
    invoice_id: str | None = None
    amount: str
    effective_on: date
    released: tuple[Share, ...] = ()


class InvoiceWrittenOff(Fact):
    invoice_id: str
    amount: str


class WriteOffRecovered(Fact):
    invoice_id: str
    amount: str


class RefundIssued(Fact):
    amount: str
    sources: tuple[Share, ...] = ()


class InvoiceDisputed(Fact):
    invoice_id: str
    reason: str = ""


class DisputeResolved(Fact):
    invoice_id: str


class CreditLimitChanged(Fact):
    """An approved credit-limit change (requests and other decisions are not facts here)."""

    credit_limit: str


FACT_TYPES: dict[str, type[Fact]] = {cls.__name__: cls for cls in Fact.__subclasses__()}


def parse_fact(event_type: str, data: dict[str, Any]) -> Fact | None:
    """The fact of a ledger event, or None for a type dunning does not act on."""
    cls = FACT_TYPES.get(event_type)
    return None if cls is None else cls.model_validate(data)

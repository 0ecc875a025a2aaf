"""Documented shapes of the API's answers (OpenAPI response models).

Amounts are decimal strings in the account's currency. Read routes serialise through
these models; command routes document them (their answers are replayed verbatim from the
idempotency record) and a test validates real answers against them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

Amount = str
NextCursor = Annotated[
    str | None, Field(description="pass as cursor for the next page; null on the last")
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Summary(Model):
    invoiced: Amount = Field(description="invoices and debit notes, net of adjustments")
    paid: Amount = Field(description="received, less reversed and refunded")
    credited: Amount
    written_off: Amount = Field(description="written off, less recoveries")
    refunded: Amount
    open: Amount = Field(description="sum of the open items")
    unapplied: Amount = Field(description="money received and not yet allocated")
    balance: Amount = Field(description="open less unapplied: what the customer owes, net")
    credit_available: Amount = Field(description="credit limit less balance")


class AccountOut(Model):
    account_id: str
    name: str
    currency: str
    jurisdiction: str
    credit_limit: Amount
    payment_terms_days: int
    broker_id: str | None
    status: str
    opened_on: str
    version: int = Field(description="the account's stream version")
    summary: Summary


class RecordedEvent(Model):
    position: int
    type: str


class Recorded(Model):
    version: int = Field(description="the account's stream version after the command")
    events: list[RecordedEvent]


class AccountOpenedOut(AccountOut, Recorded):
    pass


class InvoiceOut(Model):
    invoice_id: str
    kind: str = Field(description="invoice, or debit_note for an adjustment without invoice")
    issue_date: str
    due_date: str
    currency: str
    amount: Amount
    adjusted: Amount
    credited: Amount
    written_off: Amount
    paid: Amount
    open_amount: Amount
    status: str = Field(description="open, paid, written_off or cancelled")
    disputed: bool
    dispute_reason: str | None
    policy_id: str | None
    broker_id: str | None


class InvoiceIssuedOut(InvoiceOut, Recorded):
    pass


class InvoiceList(Model):
    account_id: str
    status: str
    next_offset: int | None = Field(description="offset of the next page; null on the last")
    invoices: list[InvoiceOut]


class Allocation(Model):
    invoice_id: str
    amount: Amount


class PaymentOut(Model):
    payment_id: str
    currency: str
    amount: Amount
    received_on: str
    method: str
    reference: str | None
    allocations: list[Allocation]
    unapplied: Amount = Field(description="what is left of this payment, unallocated")
    refunded: Amount
    reversed: bool


class PaymentReceivedOut(PaymentOut, Recorded):
    account_unapplied: Amount = Field(description="the account's unapplied credit after it")


class Balance(Model):
    account_id: str
    currency: str
    as_of: str
    known_at: str | None
    balance: Amount = Field(description="open less unapplied")
    open: Amount
    overdue: Amount = Field(description="open amounts due before as_of")
    disputed: Amount = Field(description="open amounts of invoices under dispute")
    unapplied: Amount


class EventOut(Model):
    position: int
    account_id: str
    version: int
    event_id: str
    type: str
    schema_version: int
    data: dict[str, Any]
    effective_date: str
    recorded_at: str
    actor: str
    correlation_id: str | None
    causation_id: str | None


class AccountHistory(Model):
    account_id: str
    events: list[EventOut]
    next_after_version: int
    more: bool


class Feed(Model):
    events: list[EventOut]
    next_after: int = Field(description="ask with after=next_after for the next page")
    behind: int = Field(
        description="events committed after this page, including those not listed yet "
        "because an older transaction still runs (the horizon holds them back)"
    )


class AccountPage(Model):
    accounts: list[AccountOut]
    next_cursor: NextCursor


class InvoiceFound(InvoiceOut):
    account_id: str


class InvoicePage(Model):
    invoices: list[InvoiceFound]
    next_cursor: NextCursor


class PaymentFound(PaymentOut):
    account_id: str


class PaymentPage(Model):
    payments: list[PaymentFound]
    next_cursor: NextCursor

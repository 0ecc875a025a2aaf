"""Events of a customer account, named in the past tense.

Amounts are ``Decimal`` values quantised to the account currency's minor unit and are
serialised as decimal strings; every financial event names its currency. Each class has
a ``schema_version``; older stored versions are upcast on read (see
``ledger.application.upcasting``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, ClassVar, get_args

from pydantic import BaseModel, ConfigDict, PlainSerializer

Amount = Annotated[Decimal, PlainSerializer(lambda v: str(v), return_type=str, when_used="json")]


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: ClassVar[int] = 1
    effective_field: ClassVar[str]  # the field holding the event's business date

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__

    def effective_date(self) -> date:
        value = getattr(self, self.effective_field)
        assert isinstance(value, date)
        return value


class AccountOpened(Event):
    """A customer account (group policyholder or subscriber) was opened."""

    effective_field: ClassVar[str] = "opened_on"

    account_id: str
    name: str
    currency: str
    jurisdiction: str
    credit_limit: Amount
    payment_terms_days: int
    broker_id: str | None = None
    opened_on: date


class InvoiceLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    line_no: int
    description: str
    amount: Amount
    product: str | None = None
    policy_id: str | None = None
    policy_year: int | None = None
    broker_id: str | None = None


class InvoiceIssued(Event):
    """An invoice was issued; ``total`` is the sum of its lines."""

    effective_field: ClassVar[str] = "issue_date"

    schema_version: ClassVar[int] = 2

    invoice_id: str
    currency: str
    issue_date: date
    due_date: date
    lines: tuple[InvoiceLine, ...]
    total: Amount
    policy_id: str | None = None
    broker_id: str | None = None


class PaymentShare(BaseModel):
    """Part of a payment tied to an invoice (an allocation) or drawn for a refund."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    payment_id: str
    invoice_id: str | None = None
    amount: Amount


class PaymentReceived(Event):
    """Money came in; until allocated it is unapplied credit of the account.

    Version 2 records how the ledger allocated a payment that named no invoices
    (``allocation_order``, and the ``policy_id`` it preferred); both are None when the
    payment named its allocations (and on version 1 events, which did not record it).
    """

    effective_field: ClassVar[str] = "received_on"
    schema_version: ClassVar[int] = 2

    payment_id: str
    currency: str
    amount: Amount
    received_on: date
    method: str
    reference: str | None = None
    allocation_order: str | None = None
    policy_id: str | None = None


class PaymentAllocated(Event):
    """Part of a payment's unapplied amount was applied to an open invoice."""

    effective_field: ClassVar[str] = "allocated_on"

    payment_id: str
    invoice_id: str
    currency: str
    amount: Amount
    allocated_on: date


class PaymentReversed(Event):
    """A payment bounced or was charged back; its allocations are undone."""

    effective_field: ClassVar[str] = "reversed_on"

    payment_id: str
    currency: str
    amount: Amount
    reason: str
    reversed_on: date
    released: tuple[PaymentShare, ...] = ()


class CreditNoteIssued(Event):
    """An invoice was reduced by a credit note.

    Where the credit exceeds what is still open, allocations of payments to the invoice
    are released (the most recently received payment first) and become unapplied credit
    again: ``released``.
    """

    effective_field: ClassVar[str] = "issued_on"

    credit_note_id: str
    invoice_id: str
    currency: str
    amount: Amount
    reason: str
    issued_on: date
    released: tuple[PaymentShare, ...] = ()


class AdjustmentPosted(Event):
    """A debit (positive) or credit (negative) adjustment.

    With an invoice it changes that invoice's amount; without one, a positive adjustment
    is a debit note: an open item of its own, id ``adjustment_id``, due at once.
    """

    effective_field: ClassVar[str] = "effective_on"

    adjustment_id: str
    invoice_id: str | None = None
    currency: str
    amount: Amount
    reason: str
    effective_on: date
    released: tuple[PaymentShare, ...] = ()


class InvoiceWrittenOff(Event):
    effective_field: ClassVar[str] = "written_off_on"

    write_off_id: str
    invoice_id: str
    currency: str
    amount: Amount
    reason: str
    written_off_on: date


class WriteOffRecovered(Event):
    """Part of a written-off amount became receivable again (the debtor pays after all)."""

    effective_field: ClassVar[str] = "recovered_on"

    recovery_id: str
    invoice_id: str
    currency: str
    amount: Amount
    reason: str
    recovered_on: date


class RefundIssued(Event):
    """Unapplied credit was paid back to the customer, drawn oldest payment first."""

    effective_field: ClassVar[str] = "refunded_on"

    refund_id: str
    currency: str
    amount: Amount
    reason: str
    refunded_on: date
    sources: tuple[PaymentShare, ...]


class ReceiptSuspended(Event):
    """Money came in that nobody could yet tell the owner of: it is held in suspense on the
    holding account (its ``payment_id`` names it there) until it is cleared."""

    effective_field: ClassVar[str] = "received_on"

    payment_id: str
    currency: str
    amount: Amount
    received_on: date
    method: str
    reference: str | None = None
    payer: str | None = None


class SuspenseCleared(Event):
    """Part or all of a suspended receipt left suspense: moved to the customer account
    ``to_account_id`` (where it arrives as payment ``to_payment_id``), or, with no account,
    refunded to the payer."""

    effective_field: ClassVar[str] = "cleared_on"

    clearance_id: str
    payment_id: str
    currency: str
    amount: Amount
    cleared_on: date
    reason: str
    to_account_id: str | None = None
    to_payment_id: str | None = None


class WriteOffRequested(Event):
    """A write-off above the four-eyes threshold was asked for. It changes no balance and
    posts nothing; a second user approves it (``RequestApproved``, then
    ``InvoiceWrittenOff`` with ``write_off_id`` = ``request_id``) or rejects it."""

    effective_field: ClassVar[str] = "written_off_on"

    request_id: str
    invoice_id: str
    currency: str
    amount: Amount
    reason: str
    written_off_on: date
    requested_by: str


class CreditLimitChangeRequested(Event):
    """A new credit limit was asked for; it takes effect when a second user approves it."""

    effective_field: ClassVar[str] = "requested_on"

    request_id: str
    currency: str
    credit_limit: Amount
    previous_limit: Amount
    reason: str
    requested_on: date
    requested_by: str


class RequestDecided(Event):
    """A pending request (``kind``: write_off or credit_limit) was decided."""

    effective_field: ClassVar[str] = "decided_on"

    request_id: str
    kind: str
    requested_by: str
    decided_by: str
    decided_on: date
    note: str | None = None


class RequestApproved(RequestDecided):
    """Approved by a user other than its requester; the change it asked for follows in the
    same transaction."""


class RequestRejected(RequestDecided):
    """Rejected; nothing it asked for happens."""


class CreditLimitChanged(Event):
    """The account's credit limit changed (an approved ``CreditLimitChangeRequested``)."""

    effective_field: ClassVar[str] = "changed_on"

    request_id: str
    currency: str
    credit_limit: Amount
    previous_limit: Amount
    reason: str
    changed_on: date


class InvoiceDisputed(Event):
    effective_field: ClassVar[str] = "disputed_on"

    invoice_id: str
    reason: str
    disputed_on: date


class DisputeResolved(Event):
    effective_field: ClassVar[str] = "resolved_on"

    invoice_id: str
    resolution: str
    resolved_on: date


FinancialEvent = (
    InvoiceIssued
    | PaymentReceived
    | PaymentAllocated
    | PaymentReversed
    | CreditNoteIssued
    | AdjustmentPosted
    | InvoiceWrittenOff
    | WriteOffRecovered
    | RefundIssued
    | ReceiptSuspended
    | SuspenseCleared
)

ApprovalEvent = (
    WriteOffRequested
    | CreditLimitChangeRequested
    | RequestApproved
    | RequestRejected
    | CreditLimitChanged
)

AccountEvent = AccountOpened | FinancialEvent | InvoiceDisputed | DisputeResolved | ApprovalEvent

# Every event of an account, by its type: the members of AccountEvent.
EVENT_TYPES: dict[str, type[Event]] = {cls.event_type(): cls for cls in get_args(AccountEvent)}

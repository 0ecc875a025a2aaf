"""Commands on a customer account, in the imperative.

Amounts arrive as ``Decimal`` (parsed from decimal strings at the edge) and are checked
against the account currency's minor unit by ``decide``. Every command carries the
client's id for the thing it creates and the effective (business) date it applies to.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OpenAccount(Command):
    account_id: str
    name: str
    currency: str
    jurisdiction: str
    credit_limit: Decimal
    payment_terms_days: int
    broker_id: str | None = None
    opened_on: date


class LineSpec(Command):
    description: str
    amount: Decimal
    product: str | None = None
    policy_id: str | None = None
    policy_year: int | None = None
    broker_id: str | None = None


class IssueInvoice(Command):
    invoice_id: str
    issue_date: date
    due_date: date
    lines: tuple[LineSpec, ...]
    policy_id: str | None = None
    broker_id: str | None = None


class AllocationOrder(StrEnum):
    """How a payment that names no invoices is allocated (disputed items always skipped).

    ``oldest_due_first``  every open item by due date;
    ``fees_first``        debit notes (dunning fees, interest charges) before premium
                          invoices, each group oldest due first;
    ``by_policy``         the items of ``policy_id`` first, then the rest, oldest due first.
    """

    OLDEST_DUE_FIRST = "oldest_due_first"
    FEES_FIRST = "fees_first"
    BY_POLICY = "by_policy"


class AllocationSpec(Command):
    invoice_id: str
    amount: Decimal | None = None  # None: as much as is open, up to what is left


class ReceivePayment(Command):
    payment_id: str
    amount: Decimal
    received_on: date
    method: str
    reference: str | None = None
    allocations: tuple[AllocationSpec, ...] | None = None  # None: by allocation_order
    allocation_order: AllocationOrder = AllocationOrder.OLDEST_DUE_FIRST
    policy_id: str | None = None  # by_policy: this policy's items first


class ReversePayment(Command):
    payment_id: str
    reason: str
    reversed_on: date


class IssueCreditNote(Command):
    credit_note_id: str
    invoice_id: str
    amount: Decimal
    reason: str
    issued_on: date


class PostAdjustment(Command):
    adjustment_id: str
    amount: Decimal  # signed: positive debits the customer, negative credits
    reason: str
    invoice_id: str | None = None
    effective_on: date


class WriteOffInvoice(Command):
    """Above ``approval_above`` (the configured four-eyes threshold of the account's
    currency; None: none) the write-off is only requested, pending a second user."""

    write_off_id: str
    invoice_id: str
    amount: Decimal | None = None  # None: the whole open amount
    reason: str
    written_off_on: date
    requested_by: str = ""
    approval_above: Decimal | None = None


class RecoverWriteOff(Command):
    recovery_id: str
    invoice_id: str
    amount: Decimal
    reason: str
    recovered_on: date


class IssueRefund(Command):
    refund_id: str
    amount: Decimal
    reason: str
    refunded_on: date


class SuspendReceipt(Command):
    payment_id: str
    amount: Decimal
    received_on: date
    method: str
    reference: str | None = None
    payer: str | None = None


class ClearSuspense(Command):
    """``to_account_id``/``to_payment_id``: where the money went; neither: refunded."""

    clearance_id: str
    payment_id: str
    amount: Decimal | None = None  # None: all that is still held
    reason: str
    cleared_on: date | None = None  # None: a move on the receipt's value date
    to_account_id: str | None = None
    to_payment_id: str | None = None


class ChangeCreditLimit(Command):
    """Request a new credit limit; it takes effect when a second user approves it."""

    request_id: str
    credit_limit: Decimal
    reason: str
    requested_on: date
    requested_by: str


class DecideRequest(Command):
    """Approve or reject a pending request (a write-off above the threshold, a credit
    limit change) by ``decided_by``, who for an approval is not its requester."""

    request_id: str
    decided_by: str
    decided_on: date
    note: str | None = None


class ApproveRequest(DecideRequest):
    pass


class RejectRequest(DecideRequest):
    pass


class ApplyUnappliedCredit(Command):
    invoice_id: str
    amount: Decimal
    applied_on: date


class DisputeInvoice(Command):
    invoice_id: str
    reason: str
    disputed_on: date


class ResolveDispute(Command):
    invoice_id: str
    resolution: str
    resolved_on: date


AccountCommand = (
    OpenAccount
    | IssueInvoice
    | ReceivePayment
    | ReversePayment
    | IssueCreditNote
    | PostAdjustment
    | WriteOffInvoice
    | RecoverWriteOff
    | IssueRefund
    | ApplyUnappliedCredit
    | DisputeInvoice
    | ResolveDispute
    | ChangeCreditLimit
    | ApproveRequest
    | RejectRequest
)

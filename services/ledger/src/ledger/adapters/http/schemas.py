"""Request bodies of the HTTP API. Amounts are decimal strings; a JSON number is refused."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from ledger.domain.commands import AllocationOrder
from servicekit.types import JURISDICTION_PATTERN, Day, Jurisdiction

# ASCII: in Python \d also matches other scripts' digits (U+0665), which Decimal accepts.
_DECIMAL = re.compile(r"^-?\d{1,15}(\.\d{1,6})?$", re.ASCII)


def _decimal_string(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise PydanticCustomError(
            "decimal_string",
            'amounts are decimal strings such as "1250.00", not JSON numbers',
        )
    if not _DECIMAL.fullmatch(value):  # fullmatch: "$" alone lets a trailing newline through
        raise PydanticCustomError(
            "decimal_string",
            'not a decimal amount; write it like "1250.00" (at most 15 digits and 6 places)',
        )
    return Decimal(value)


Money = Annotated[
    Decimal,
    BeforeValidator(_decimal_string),
    # The whole schema, not an addition to Decimal's (which also allows a JSON number).
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _DECIMAL.pattern,
            "examples": ["1250.00"],
            "description": "A decimal string in the account currency, at most its minor "
            "unit's places; a JSON number is refused.",
        }
    ),
]
BusinessDate = Day  # 1900-01-01 .. 2199-12-31
ID_PATTERN = r"^[A-Za-z0-9._:\-]+$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
# How a value that misses a pattern is explained (instead of showing the regex).
FORMATS = {
    ID_PATTERN: "an id of letters, digits and . _ : - (at most 64)",
    CURRENCY_PATTERN: "an ISO 4217 currency code such as SGD",
    JURISDICTION_PATTERN: "a jurisdiction code of 2 to 8 capital letters such as SG",
    "^(open|paid|all)$": "one of open, paid, all",
    "^(json|csv)$": "one of json, csv",
}
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
OptText = Annotated[str, StringConstraints(max_length=500, strip_whitespace=True)] | None


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OpenAccountBody(Body):
    account_id: Id
    name: Text
    currency: Annotated[str, StringConstraints(pattern=CURRENCY_PATTERN)]
    jurisdiction: Jurisdiction
    credit_limit: Money
    payment_terms_days: Annotated[int, Field(ge=0, le=3650)]
    broker_id: Id | None = None
    opened_on: BusinessDate | None = None


class LineBody(Body):
    description: Text
    amount: Money
    product: Id | None = None
    policy_id: Id | None = None
    policy_year: Annotated[int, Field(ge=1, le=200)] | None = None
    broker_id: Id | None = None


class InvoiceBody(Body):
    invoice_id: Id
    issue_date: BusinessDate
    due_date: BusinessDate
    lines: Annotated[list[LineBody], Field(min_length=1, max_length=1000)]
    policy_id: Id | None = None
    broker_id: Id | None = None


class AllocationBody(Body):
    invoice_id: Id
    amount: Money | None = None


class PaymentBody(Body):
    payment_id: Id
    amount: Money
    received_on: BusinessDate
    method: Annotated[str, StringConstraints(min_length=1, max_length=32, strip_whitespace=True)]
    reference: OptText = None
    allocations: Annotated[list[AllocationBody], Field(max_length=1000)] | None = None
    allocation_order: AllocationOrder | None = Field(
        None,
        description="without `allocations`: oldest_due_first (default), fees_first (debit "
        "notes before invoices) or by_policy (the items of `policy_id` first)",
    )
    policy_id: Id | None = None


class ReversalBody(Body):
    reason: Text
    reversed_on: BusinessDate | None = None


class CreditNoteBody(Body):
    credit_note_id: Id
    invoice_id: Id
    amount: Money
    reason: Text
    issued_on: BusinessDate | None = None


class AdjustmentBody(Body):
    adjustment_id: Id
    amount: Money
    reason: Text
    invoice_id: Id | None = None
    effective_on: BusinessDate | None = None


class WriteOffBody(Body):
    write_off_id: Id
    invoice_id: Id
    amount: Money | None = None
    reason: Text
    written_off_on: BusinessDate | None = None


class CreditLimitChangeBody(Body):
    request_id: Id
    credit_limit: Money
    reason: Text
    requested_on: BusinessDate | None = None


class ApproveBody(Body):
    note: OptText = None
    decided_on: BusinessDate | None = None


class RejectBody(Body):
    note: Text = Field(description="why the request is rejected")
    decided_on: BusinessDate | None = None


class RecoveryBody(Body):
    recovery_id: Id
    amount: Money
    reason: Text
    recovered_on: BusinessDate | None = None


class RefundBody(Body):
    refund_id: Id
    amount: Money
    reason: Text
    refunded_on: BusinessDate | None = None


class SuspendReceiptBody(Body):
    payment_id: Id
    amount: Money
    received_on: BusinessDate
    method: Annotated[str, StringConstraints(min_length=1, max_length=32, strip_whitespace=True)]
    reference: OptText = None
    payer: OptText = None


class ClearSuspenseBody(Body):
    clearance_id: Id
    amount: Money | None = None
    reason: Text
    cleared_on: BusinessDate | None = None
    to_account_id: Id | None = None
    to_payment_id: Id | None = None


class ApplyCreditBody(Body):
    invoice_id: Id
    amount: Money
    application_id: Id | None = None
    applied_on: BusinessDate | None = None


class DisputeBody(Body):
    reason: Text
    disputed_on: BusinessDate | None = None


class ResolveBody(Body):
    resolution: Text
    resolved_on: BusinessDate | None = None
